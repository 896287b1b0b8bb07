using WaSms.Core.State;
using WaSms.Gateway.Configuration;
using WaSms.Gateway.Tests.Platform;
using WaSms.Gateway.Tunnel.Connection;
using WaSms.Gateway.Tunnel.Identity;
using WaSms.Hardware.Leds;

namespace WaSms.Gateway.Tests.Tunnel;

/// <summary>
/// The platform link's state as the customer sees it (docs/tunnel.md §1, §8, §9): in the one state
/// machine's snapshot, with a clear reason; against the real platform emulator or a scripted one over
/// real TLS on loopback, on a fake clock.
/// </summary>
public sealed class TunnelLinkStateTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task ARevokedCredentialStopsRetries_TheReasonReachesTheSnapshotAndTheLeds()
    {
        await using var bed = await PlatformTestBed.StartAsync();
        var code = await bed.IssueCodeAsync();
        await using var rig = await TunnelRig.StartAsync(o => { o.Url = bed.Platform.TunnelUri.ToString(); o.CaFile = bed.Platform.CaFile; o.EnrollmentCode = code; });
        rig.Machine.TryFire(new StateChange(GatewayTrigger.Connect, "Logging in"));
        rig.Machine.TryFire(new StateChange(GatewayTrigger.LinkUp, "Online"));

        using (var first = Service(rig))
        {
            await first.StartAsync(None);
            await Eventually.UntilAsync(() => rig.Machine.Current.Platform?.State == PlatformLinkState.Connected, Eventually.DefaultTimeout, "the gateway enrolls and connects");
            await first.StopAsync(None);
        }
        var account = (await rig.Identity.GetEnrollmentAsync(None))!.Account!;
        Assert.Equal(200, (int?)(await bed.Api.GetAsync("delete/wa.account", ("unique", account)))["status"]); // the dashboard deletes it while offline

        using var second = Service(rig);
        await second.StartAsync(None);
        await Eventually.UntilAsync(() => rig.Machine.Current.Platform?.State == PlatformLinkState.Stopped, Eventually.DefaultTimeout, "the revoked gateway stops");
        var snapshot = rig.Machine.Current;
        Assert.Equal(GatewayState.Online, snapshot.State); // WhatsApp is unaffected
        Assert.Equal("enrollment revoked: this gateway was removed from the dashboard", snapshot.Platform!.Reason);
        Assert.Equal("Platform: enrollment revoked", snapshot.Platform.ScreenLine);
        Assert.Equal(new LedPattern(LedMode.On, LedMode.Off, LedMode.SlowBlink), LedPattern.For(snapshot));

        rig.Time.Advance(TimeSpan.FromMinutes(10)); // longer than any backoff: no new attempt
        Assert.Equal(1, second.Attempts);
        Assert.Equal(PlatformLinkState.Stopped, rig.Status.Current.State);
        await second.StopAsync(None);

        // A restart (the memory of the last run gone; the configured code is still the spent one): the store says why
        // it stopped, and the spent code is not sent again (the platform would only answer "already used").
        Assert.Equal((EnrollmentCodes.Digest(code), "enrollment revoked: this gateway was removed from the dashboard"),
            await rig.Identity.GetEnrollmentHistoryAsync(None));
        // As on a Pi at boot, the clock is not synchronised yet: the tunnel waits for it first (and says so meanwhile).
        rig.Codes.MarkSpent(null);
        rig.Status.Set(PlatformLinkState.NotEnrolled, "");
        using var clockDir = new TempDirectory();
        var flag = Path.Combine(clockDir.Path, "synchronized");
        using var third = new TunnelService(rig.Parts, rig.Connector(), rig.Machine, rig.Counters, new Random(7),
            new ClockGate(new TunnelOptions { TimeSyncFlag = flag }, rig.Time));
        await third.StartAsync(None);
        await Eventually.UntilAsync(() => rig.Status.Current.State == PlatformLinkState.WaitingForClock, Eventually.DefaultTimeout, "the clock is waited for");
        await File.WriteAllTextAsync(flag, "");
        await Eventually.UntilAsync(() => rig.Status.Current.State == PlatformLinkState.Stopped, Eventually.DefaultTimeout, "the restarted gateway shows why it stopped",
            between: () => rig.Time.Advance(ClockGate.Poll));
        Assert.Equal("Platform: enrollment revoked", rig.Machine.Current.Platform!.ScreenLine);
        rig.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(0, third.Attempts);
        Assert.Null(rig.Codes.Current());

        // A new code from the dashboard enrolls again, and the reason goes.
        rig.Codes.Set(await bed.IssueCodeAsync());
        await Eventually.UntilAsync(() => rig.Status.Current.State == PlatformLinkState.Connected, Eventually.DefaultTimeout, "a new code enrolls again");
        Assert.Null((await rig.Identity.GetEnrollmentHistoryAsync(None)).Stopped);
        await third.StopAsync(None);
    }

    [Fact]
    public async Task RateLimitedWaitsAtLeastRetryAfter_ThenConnects()
    {
        await using var bed = await PlatformTestBed.StartAsync();
        var code = await bed.IssueCodeAsync();
        await bed.Api.PostFormAsync("dev/refuse", ("code", "rate-limited"), ("retryAfter", "45"));
        await using var rig = await TunnelRig.StartAsync(o => { o.Url = bed.Platform.TunnelUri.ToString(); o.CaFile = bed.Platform.CaFile; o.EnrollmentCode = code; });

        using var service = Service(rig); // seed 7: the first backoff draw is under 2 s, so only retryAfter explains a longer wait
        await service.StartAsync(None);
        await Eventually.UntilAsync(() => rig.Status.Current.State == PlatformLinkState.Unreachable, Eventually.DefaultTimeout, "the refusal is reported");
        Assert.Equal("rate-limited by the platform: too many connections; come back in 45 s (next attempt in 45 s)", rig.Status.Current.Reason);
        await bed.Api.PostFormAsync("dev/refuse", ("code", "none"));

        // The clock moves a second per poll until the next attempt starts: not before 45 s.
        var refusedAt = rig.Time.GetUtcNow();
        await Eventually.UntilAsync(() => service.Attempts == 2, Eventually.DefaultTimeout, "a second attempt", between: () => rig.Time.Advance(TimeSpan.FromSeconds(1)));
        var waited = rig.Time.GetUtcNow() - refusedAt;
        Assert.True(waited >= TimeSpan.FromSeconds(45), $"the second attempt came after {waited.TotalSeconds} s, before retryAfter");
        await Eventually.UntilAsync(() => rig.Status.Current.State == PlatformLinkState.Connected, Eventually.DefaultTimeout, "the second attempt connects");
        await service.StopAsync(None);
    }

    [Fact]
    public async Task AHugeRetryAfterFromThePlatformWaitsOneDay_AndTheServiceKeepsRunning()
    {
        using var dir = new TempDirectory();
        await using var platform = new ScriptedPlatform(dir.Path);
        await using var rig = await TunnelRig.StartAsync(platform);
        using var service = Service(rig);
        var accept = platform.AcceptAsync(None);
        await service.StartAsync(None);
        await using (var peer = await accept ?? throw new InvalidOperationException("the gateway did not connect"))
        {
            await TunnelConnectionTests.HandshakeAsync(rig, peer, ackedCursor: 0);
            // ~115 days: more than Task.Delay takes; a platform bug must not stop the host.
            await peer.SendAsync("""{"type":"error","code":"rate-limited","message":"slow down","retryAfter":10000000}""");
            await Eventually.UntilAsync(() => rig.Status.Current.State == PlatformLinkState.Unreachable, Eventually.DefaultTimeout, "the refusal is reported");
        }
        Assert.EndsWith("(next attempt in 86400 s)", rig.Status.Current.Reason, StringComparison.Ordinal);
        rig.Time.Advance(TimeSpan.FromDays(1) - TimeSpan.FromSeconds(1));
        Assert.Equal(1, service.Attempts);
        accept = platform.AcceptAsync(None);
        await Eventually.UntilAsync(() => service.Attempts == 2, Eventually.DefaultTimeout, "the attempt after a day",
            between: () => rig.Time.Advance(TimeSpan.FromSeconds(1)));
        await service.StopAsync(None);
    }

    [Fact]
    public async Task ACertificateForAnotherHostIsRefused_WithItsOwnStateAndReason_AndRetriedWithBackoff()
    {
        using var dir = new TempDirectory();
        await using var platform = new ScriptedPlatform(dir.Path, leafHost: "platform.example");
        await using var rig = await TunnelRig.StartAsync(platform);
        using var service = Service(rig);
        var accept = platform.AcceptAsync(None);
        await service.StartAsync(None);
        Assert.Null(await accept); // the gateway broke off the TLS handshake
        await Eventually.UntilAsync(() => rig.Status.Current.State == PlatformLinkState.Refused, Eventually.DefaultTimeout, "the certificate is refused");
        Assert.Equal("the platform's certificate is for platform.example, not localhost", rig.Status.Current.Reason);
        Assert.Equal("platform: refused (the platform's certificate is for platform.example, not localhost)", rig.Machine.Current.Platform!.Line);

        // The certificate may be fixed on the platform's side: tried again after a backoff.
        accept = platform.AcceptAsync(None);
        await Eventually.UntilAsync(() => service.Attempts == 2, Eventually.DefaultTimeout, "a second attempt after the backoff",
            between: () => rig.Time.Advance(TimeSpan.FromSeconds(1)));
        Assert.Null(await accept);
        await service.StopAsync(None);
    }

    [Fact]
    public async Task AnAttemptThatNeverReachesTlsAfterARefusal_IsUnreachable_NotTheOldRefusal()
    {
        using var dir = new TempDirectory();
        var platform = new ScriptedPlatform(dir.Path, leafHost: "platform.example");
        await using var rig = await TunnelRig.StartAsync(platform);
        using var service = Service(rig);
        var accept = platform.AcceptAsync(None);
        await service.StartAsync(None);
        Assert.Null(await accept);
        await Eventually.UntilAsync(() => rig.Status.Current.State == PlatformLinkState.Refused, Eventually.DefaultTimeout, "the certificate is refused");

        await platform.DisposeAsync(); // nothing listens now: the next attempt fails at TCP, before any certificate
        await Eventually.UntilAsync(() => service.Attempts == 2 && rig.Status.Current.State == PlatformLinkState.Unreachable, Eventually.DefaultTimeout,
            "the next attempt is reported unreachable", between: () => rig.Time.Advance(TimeSpan.FromSeconds(1)));
        Assert.DoesNotContain("certificate", rig.Status.Current.Reason, StringComparison.Ordinal);
        await service.StopAsync(None);
    }

    [Fact]
    public async Task ACertificateNotYetValidIsReportedAsClockSkew()
    {
        using var dir = new TempDirectory();
        await using var platform = new ScriptedPlatform(dir.Path, notBefore: new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        await using var rig = await TunnelRig.StartAsync(platform,
            now: new DateTimeOffset(2026, 10, 30, 12, 0, 0, TimeSpan.Zero));
        using var service = Service(rig);
        var accept = platform.AcceptAsync(None);
        await service.StartAsync(None);
        Assert.Null(await accept);
        await Eventually.UntilAsync(() => rig.Status.Current.State == PlatformLinkState.Refused, Eventually.DefaultTimeout, "the certificate is refused");
        Assert.Equal("clock skew: the platform's certificate is valid from 2026-11-01 00:00 UTC to 2027-11-01 00:00 UTC; " +
                     "this gateway's clock says 2026-10-30 12:00 UTC, 36 h before it: is the time synchronised (NTP)?", rig.Status.Current.Reason);
        Assert.Equal("Platform: clock skew", rig.Status.Current.ScreenLine);
        await service.StopAsync(None);
    }

    [Fact]
    public async Task ClockBeforeTheBuild_WaitsForTimeSync_PollingTheFakeClock()
    {
        await using var rig = await TunnelRig.StartAsync(o => o.Url = "wss://localhost:1/tunnel", now: new DateTimeOffset(1970, 1, 1, 0, 0, 5, TimeSpan.Zero));
        var gate = new ClockGate(new TunnelOptions { TimeSyncFlag = "" }, rig.Time);
        var wait = gate.WaitAsync(rig.Status, None);
        Assert.False(wait.IsCompleted);
        Assert.Equal(PlatformLinkState.WaitingForClock, rig.Status.Current.State);
        Assert.StartsWith("waiting for time sync: the clock says 1970-01-01, ", rig.Status.Current.Reason);
        Assert.EndsWith($"days before this firmware was built ({ClockGate.Earliest:yyyy-MM-dd})", rig.Status.Current.Reason);

        rig.Time.SetUtcNow(ClockGate.Earliest.AddDays(400)); // NTP answered
        await Eventually.UntilAsync(() => wait.IsCompletedSuccessfully, Eventually.DefaultTimeout, "the next poll lets TLS go ahead", between: () => rig.Time.Advance(ClockGate.Poll));
    }

    [Fact]
    public async Task TimesyncdNotYetSynchronised_WaitsForItsFlag()
    {
        using var dir = new TempDirectory();
        var flag = Path.Combine(dir.Path, "timesync", "synchronized");
        Directory.CreateDirectory(Path.GetDirectoryName(flag)!);
        await using var rig = await TunnelRig.StartAsync(o => o.Url = "wss://localhost:1/tunnel");
        var gate = new ClockGate(new TunnelOptions { TimeSyncFlag = flag }, rig.Time);
        var wait = gate.WaitAsync(rig.Status, None);
        Assert.False(wait.IsCompleted);
        Assert.Equal("platform: waiting for clock (waiting for time sync (NTP has not answered yet))", rig.Status.Current.Line);

        rig.Time.Advance(ClockGate.Poll);
        Assert.False(wait.IsCompleted);
        await File.WriteAllTextAsync(flag, "");
        await Eventually.UntilAsync(() => wait.IsCompletedSuccessfully, Eventually.DefaultTimeout, "the next poll sees the flag", between: () => rig.Time.Advance(ClockGate.Poll));
    }

    [Fact]
    public async Task TheTimeSyncWaitIsBounded_AndNotRepeatedOnReconnect()
    {
        using var dir = new TempDirectory();
        var flag = Path.Combine(dir.Path, "timesync", "synchronized");
        Directory.CreateDirectory(Path.GetDirectoryName(flag)!);
        await using var rig = await TunnelRig.StartAsync(o => o.Url = "wss://localhost:1/tunnel");
        var gate = new ClockGate(new TunnelOptions { TimeSyncFlag = flag, TimeSyncWait = TimeSpan.FromSeconds(10) }, rig.Time);
        var started = rig.Time.GetUtcNow();
        var wait = gate.WaitAsync(rig.Status, None);
        await Eventually.UntilAsync(() => wait.IsCompletedSuccessfully, Eventually.DefaultTimeout, "the wait ends without the flag",
            between: () => rig.Time.Advance(TimeSpan.FromSeconds(1)));
        var waited = rig.Time.GetUtcNow() - started; // connects anyway: the clock is past the build date
        Assert.True(waited >= TimeSpan.FromSeconds(10) && waited < TimeSpan.FromSeconds(60), $"waited {waited.TotalSeconds} s for a 10 s bound");
        Assert.True(gate.WaitAsync(rig.Status, None).IsCompletedSuccessfully); // a reconnect does not wait again
    }

    [Fact]
    public void TimeSyncWaitOutOfRangeIsRefusedAtStartUp()
    {
        var problems = new TunnelOptions { TimeSyncWait = TimeSpan.FromHours(2) }.Validate().ToList();
        Assert.Equal([("Tunnel:TimeSyncWait", "must be between 00:00:00 and 01:00:00 (is 02:00:00)")], problems);
    }

    private static TunnelService Service(TunnelRig rig) => new(rig.Parts, rig.Connector(), rig.Machine, rig.Counters, new Random(7));
}
