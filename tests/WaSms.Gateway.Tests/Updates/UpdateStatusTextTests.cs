using WaSms.Gateway.Cli;
using WaSms.Gateway.Control;
using WaSms.Gateway.Updates;

namespace WaSms.Gateway.Tests.Updates;

/// <summary>What <c>status</c> prints about updates: an update needed (and whether one is offered), a rollback, an installed one.</summary>
public sealed class UpdateStatusTextTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    private static StatusReport Report(string state, TunnelReport? tunnel = null, UpdateReport? update = null, LastUpdateReport? last = null) =>
        new(state, "reason", At, 1, "1.5.0", 60, null, null, new Dictionary<string, long>(),
            new BoardReport("simulated", "none", false, "off", "off", "off", false), [], Tunnel: tunnel, Update: update, LastUpdate: last);

    [Fact]
    public void ClientOutdated_SaysToWait_OrNamesTheOfferedUpdate()
    {
        Assert.Contains("\nUpdate:   needed; Wait for an update from WaSMS or see the dashboard\n", StatusText.Format(Report("client-outdated")), StringComparison.Ordinal);

        var offered = Report("client-outdated", new TunnelReport("connected", "platform: connected", At, "1.6.0"));
        Assert.Contains("\nUpdate:   needed; Update 1.6.0 available: it installs automatically\n", StatusText.Format(offered), StringComparison.Ordinal);
    }

    [Fact]
    public void ARollback_AndAnInstalledUpdate_EachHaveTheirLine()
    {
        var rolledBack = Report("online", update: new UpdateReport("rolled-back", "", "1.6.0", null, null, "B: not marked good within its boot attempts", At),
            last: new LastUpdateReport("1.6.0", "rolled-back", At, "B: not marked good within its boot attempts"));
        Assert.Contains("\nUpdate:   update 1.6.0 failed and was rolled back: B: not marked good within its boot attempts\n", StatusText.Format(rolledBack), StringComparison.Ordinal);

        var installed = Report("online", last: new LastUpdateReport("1.6.0", "installed", At));
        Assert.Contains("\nUpdate:   1.6.0 installed 2026-12-02 12:00Z and running\n", StatusText.Format(installed), StringComparison.Ordinal);
        Assert.DoesNotContain("Update:", StatusText.Format(Report("online")), StringComparison.Ordinal);
    }
}
