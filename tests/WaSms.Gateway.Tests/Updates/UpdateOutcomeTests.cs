using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaSms.Core.State;
using WaSms.Emulators.WhatsApp;
using WaSms.Gateway.Cli;
using WaSms.Gateway.Configuration;
using WaSms.Gateway.Control;
using WaSms.Gateway.Updates;
using WaSms.Storage;

namespace WaSms.Gateway.Tests.Updates;

/// <summary>
/// After the reboot into a new slot (docs/updates.md §6, "Reporting the outcome"): the installer's record and the boot
/// script's failure line, read against a real SQLite store, tell an update that runs from one that was rolled back;
/// a rollback stays until an update works or an operator dismisses it, and its reason is safe for the screen.
/// </summary>
public sealed class UpdateOutcomeTests(ITestOutputHelper testOutput) : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private GatewayStore _store = null!;
    private GatewayStateMachine _machine = null!;

    private string FailureFile => _dir.File("last-failure");

    /// <summary>The reboot happened an hour after the installer's record.</summary>
    private DateTimeOffset BootedAt => _time.GetUtcNow().AddMinutes(-5);

    private DateTimeOffset InstalledAt => _time.GetUtcNow().AddHours(-1);

    public async Task InitializeAsync()
    {
        _store = await GatewayStore.OpenAsync(_dir.Path, _time, NullLogger.Instance, None);
        _machine = new GatewayStateMachine(_time, NullLogger<GatewayStateMachine>.Instance);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _dir.Dispose();
    }

    private Task<UpdateOutcome?> RestoreAsync(string running, DateTimeOffset? bootedAt = null) =>
        UpdateOutcomes.RestoreAsync(_store, _machine, running, FailureFile, bootedAt ?? BootedAt, _time.GetUtcNow(), NullLogger.Instance, None);

    [Fact]
    public async Task RunningTheRecordedVersion_IsReportedInstalledOnce_AndClearsAnOldRollback()
    {
        await _store.SetSettingAsync(UpdateOutcomes.RolledBackSetting, """{"version":"1.5.9","reason":"B: not marked good","at":"2026-11-01T00:00:00+00:00"}""", None);
        await UpdateOutcomes.RecordInstalledAsync(_store, "1.6.0", InstalledAt, None);

        var outcome = await RestoreAsync("1.6.0");

        Assert.Equal(new UpdateOutcome("1.6.0", false, null, InstalledAt), outcome);
        Assert.Equal(outcome, _machine.Current.OpenNotice<UpdateOutcome>(_time.GetUtcNow()));
        Assert.Null(await _store.GetSettingAsync(UpdateOutcomes.InstalledSetting, None));
        Assert.Null(await _store.GetSettingAsync(UpdateOutcomes.RolledBackSetting, None));

        var again = new GatewayStateMachine(_time, NullLogger<GatewayStateMachine>.Instance);
        Assert.Null(await UpdateOutcomes.RestoreAsync(_store, again, "1.6.0", FailureFile, BootedAt, _time.GetUtcNow(), NullLogger.Instance, None));
        Assert.Null(again.Current.Notices); // reported once: the next start has nothing to say
    }

    [Fact]
    public async Task TheBootScriptsFailureLine_IsTheReason_AndTheRollbackOutlivesRestartsUntilDismissed()
    {
        await UpdateOutcomes.RecordInstalledAsync(_store, "1.6.0", InstalledAt, None);
        await File.WriteAllTextAsync(FailureFile, "B: not marked good within its boot attempts\n", None);

        var outcome = await RestoreAsync("1.5.0");

        Assert.Equal(new UpdateOutcome("1.6.0", true, "B: not marked good within its boot attempts", _time.GetUtcNow()), outcome);
        Assert.Equal("Update 1.6.0 failed and was rolled back: B: not marked good within its boot attempts", outcome!.Describe());
        Assert.Null(await _store.GetSettingAsync(UpdateOutcomes.InstalledSetting, None));

        // The next start (the boot script writes the same line at every boot): the same rollback, not a second one.
        _time.Advance(TimeSpan.FromDays(1));
        var restarted = new GatewayStateMachine(_time, NullLogger<GatewayStateMachine>.Instance);
        var kept = await UpdateOutcomes.RestoreAsync(_store, restarted, "1.5.0", FailureFile, _time.GetUtcNow().AddMinutes(-1), _time.GetUtcNow(), NullLogger.Instance, None);
        Assert.Equal(outcome, kept);
        Assert.Equal(outcome, restarted.Current.OpenNotice<UpdateOutcome>(_time.GetUtcNow()));

        Assert.True(await UpdateOutcomes.DismissAsync(_store, restarted, None));
        Assert.Null(restarted.Current.OpenNotice<UpdateOutcome>(_time.GetUtcNow()));
        Assert.False(await UpdateOutcomes.DismissAsync(_store, restarted, None));
        var afterDismiss = new GatewayStateMachine(_time, NullLogger<GatewayStateMachine>.Instance);
        Assert.Null(await UpdateOutcomes.RestoreAsync(_store, afterDismiss, "1.5.0", FailureFile, BootedAt, _time.GetUtcNow(), NullLogger.Instance, None));
    }

    [Fact]
    public async Task TheSameVersionRunning_WithAFailureLine_IsARollback()
    {
        // scripts/test-update's boot 7: v2 runs in slot B; v2 installed again into slot A failed its trial, and the
        // board went back to B, which runs a version of the same name. The failure line decides, not the name.
        await File.WriteAllTextAsync(FailureFile, "A: not marked good within its boot attempts\n", None);
        await UpdateOutcomes.RecordInstalledAsync(_store, "1.6.0", InstalledAt, None);

        var outcome = await RestoreAsync("1.6.0");

        Assert.Equal(new UpdateOutcome("1.6.0", true, "A: not marked good within its boot attempts", _time.GetUtcNow()), outcome);
        Assert.Null(await _store.GetSettingAsync(UpdateOutcomes.InstalledSetting, None));
    }

    [Fact]
    public async Task OnABoardWithoutAClock_TheBootIdTellsTheRebootHappened()
    {
        // The Pi starts the new slot with that slot's saved time (its build), older than the record: the ids decide.
        await UpdateOutcomes.RecordInstalledAsync(_store, "1.6.0", _time.GetUtcNow(), None, bootId: "boot-1");

        Assert.Null(await UpdateOutcomes.RestoreAsync(_store, _machine, "1.6.0", FailureFile, _time.GetUtcNow().AddDays(-30), _time.GetUtcNow(),
            NullLogger.Instance, None, bootId: "boot-1")); // the same boot: the service restarted, nothing tried yet
        var outcome = await UpdateOutcomes.RestoreAsync(_store, _machine, "1.6.0", FailureFile, _time.GetUtcNow().AddDays(30), _time.GetUtcNow(),
            NullLogger.Instance, None, bootId: "boot-2");

        Assert.Equal(new UpdateOutcome("1.6.0", false, null, _time.GetUtcNow()), outcome);
    }

    [Fact]
    public async Task TheRecordedVersionRunning_BeforeAnyReboot_WaitsForTheReboot()
    {
        // Installing the version that runs now: until the reboot into the other slot, nothing has been tried.
        await UpdateOutcomes.RecordInstalledAsync(_store, "1.6.0", _time.GetUtcNow().AddMinutes(-1), None);

        Assert.Null(await RestoreAsync("1.6.0", bootedAt: _time.GetUtcNow().AddHours(-3)));
        Assert.NotNull(await _store.GetSettingAsync(UpdateOutcomes.InstalledSetting, None));
    }

    [Fact]
    public async Task AnotherVersionRunningAfterTheReboot_IsARollbackEvenWithoutAFailureLine()
    {
        await UpdateOutcomes.RecordInstalledAsync(_store, "1.6.0", InstalledAt, None);

        var outcome = await RestoreAsync("1.5.0");

        Assert.True(outcome?.RolledBack);
        Assert.Equal("the new version did not start; the gateway went back to 1.5.0", outcome!.Reason);
    }

    [Fact]
    public async Task ASecondRollback_WithTheSameLineAsTheFirst_IsReportedAgainWithThatReason()
    {
        await File.WriteAllTextAsync(FailureFile, "B: not marked good within its boot attempts\n", None);
        await UpdateOutcomes.RecordInstalledAsync(_store, "1.6.0", InstalledAt, None);
        Assert.True((await RestoreAsync("1.5.0"))?.RolledBack);
        Assert.True(await UpdateOutcomes.DismissAsync(_store, _machine, None));

        _time.Advance(TimeSpan.FromDays(2));
        await UpdateOutcomes.RecordInstalledAsync(_store, "1.6.1", _time.GetUtcNow().AddHours(-1), None);
        var machine = new GatewayStateMachine(_time, NullLogger<GatewayStateMachine>.Instance);
        var second = await UpdateOutcomes.RestoreAsync(_store, machine, "1.5.0", FailureFile, _time.GetUtcNow().AddMinutes(-5), _time.GetUtcNow(), NullLogger.Instance, None);

        Assert.Equal(new UpdateOutcome("1.6.1", true, "B: not marked good within its boot attempts", _time.GetUtcNow()), second);
    }

    [Fact]
    public async Task ARecordYoungerThanThisBoot_WaitsForItsReboot()
    {
        // The service restarted between the installation and the reboot: nothing has been tried yet.
        await UpdateOutcomes.RecordInstalledAsync(_store, "1.6.0", _time.GetUtcNow().AddMinutes(-1), None);

        Assert.Null(await RestoreAsync("1.5.0", bootedAt: _time.GetUtcNow().AddHours(-3)));
        Assert.NotNull(await _store.GetSettingAsync(UpdateOutcomes.InstalledSetting, None));
        Assert.Null(_machine.Current.Notices);
    }

    [Fact]
    public async Task AFailureLineWithoutARecord_IsReportedWithoutAVersion()
    {
        await File.WriteAllTextAsync(FailureFile, "A: not marked good within its boot attempts", None);

        var outcome = await RestoreAsync("1.5.0");

        Assert.Equal((null, true, "A: not marked good within its boot attempts"), (outcome?.Version, outcome?.RolledBack, outcome?.Reason));
        Assert.Equal("Update (unknown version) failed and was rolled back: A: not marked good within its boot attempts", outcome!.Describe());
    }

    [Fact]
    public void TheFailureLine_IsMadeSafeForTheScreen()
    {
        File.WriteAllText(FailureFile, "B:\tnot \u001b[31mmarked\u200b good\u0000 " + new string('x', 300) + "\nsecond line");

        var line = UpdateOutcomes.ReadFailureLine(FailureFile, NullLogger.Instance)!;

        Assert.StartsWith("B: not [31mmarked good xxx", line);
        Assert.Equal(UpdateOutcome.MaxReasonLength, line.Length);
        Assert.EndsWith("x\u2026", line);
        Assert.DoesNotContain(line, c => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format);
        Assert.Null(UpdateOutcomes.ReadFailureLine(_dir.File("missing"), NullLogger.Instance));
        File.WriteAllText(FailureFile, " \u0001\n");
        Assert.Null(UpdateOutcomes.ReadFailureLine(FailureFile, NullLogger.Instance));
    }

    [Fact]
    public async Task TheGateway_ReportsTheRollbackInStatusAtStart_AndUpdateDismissTakesItAway()
    {
        using var state = new TempDirectory();
        var failure = Path.Combine(state.Path, "last-failure");
        await using (var store = await GatewayStore.OpenAsync(state.Path, TimeProvider.System, NullLogger.Instance, None))
        {
            await UpdateOutcomes.RecordInstalledAsync(store, "99.0.0", DateTimeOffset.UtcNow.AddDays(-400), None); // before this machine booted
        }
        await File.WriteAllTextAsync(failure, "B: not marked good within its boot attempts\n", None);
        await using var emulator = new WaEmulator();
        emulator.Start();

        await using var gateway = await InProcessGateway.StartAsync(emulator, state.Path, testOutput, updates: new UpdatesOptions { FailureFile = failure });

        var report = await gateway.Get<StatusProvider>().GetReportAsync(None);
        Assert.Equal(("rolled-back", "99.0.0", "B: not marked good within its boot attempts"), (report.Update?.Phase, report.Update?.Version, report.Update?.Reason));
        Assert.Equal(("rolled-back", "99.0.0"), (report.LastUpdate?.Result, report.LastUpdate?.Version));
        Assert.Contains("Update:   update 99.0.0 failed and was rolled back: B: not marked good within its boot attempts", StatusText.Format(report));

        var dismissed = await ControlClient.SendAsync(gateway.Settings.Gateway.ControlSocketPath, new ControlRequest("update-dismiss"), TimeSpan.FromSeconds(30), None);
        Assert.True(dismissed.Ok, dismissed.Error);
        Assert.Equal("The rolled-back update is no longer shown", dismissed.Message);
        var after = await gateway.Get<StatusProvider>().GetReportAsync(None);
        Assert.Null(after.Update);
        Assert.Null(after.LastUpdate);
    }
}
