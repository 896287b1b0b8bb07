using Microsoft.Extensions.Logging.Abstractions;
using WaSms.Core.State;
using WaSms.Gateway.Updates;

namespace WaSms.Gateway.Tests.Updates;

/// <summary>
/// The gateway side of an update with a scripted RAUC (docs/updates.md, "Installing"): the bundle is
/// checked before anything changes, <c>updating</c> is entered only for a checked bundle, progress is
/// visible while RAUC works, and a failure leaves <c>updating</c> with its reason. A URL is downloaded
/// first (over real HTTPS on loopback); an installation is recorded, and reboots only when asked.
/// </summary>
public sealed class UpdateCoordinatorTests : IAsyncLifetime
{
    private UpdateRig _rig = null!;
    private string _bundle = null!;

    private UpdateCoordinator Updates => _rig.Updates;
    private ScriptedRauc Rauc => _rig.Rauc;
    private GatewayStateMachine State => _rig.State;

    public async Task InitializeAsync()
    {
        _rig = await UpdateRig.CreateAsync();
        _bundle = _rig.Dir.File("wasms-gateway-2.0.0.raucb");
        await File.WriteAllTextAsync(_bundle, "bundle bytes");
    }

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task RefusedBundle_ChangesNoStateAndIsNeverInstalled()
    {
        Rauc.Check = BundleCheck.Refused("signature verification failed: unable to get local issuer certificate");

        var report = await Updates.RunAsync(_bundle, CancellationToken.None);

        Assert.Equal(("refused", "signature verification failed: unable to get local issuer certificate"), (report.Phase, report.Reason));
        Assert.Equal("wasms-gateway-2.0.0.raucb refused: signature verification failed: unable to get local issuer certificate", report.Describe());
        Assert.Equal(GatewayState.Online, State.Current.State);
        Assert.Equal([$"check {_bundle}"], Rauc.Calls);
        Assert.Equal(report, Updates.Current);
        Assert.Null(await _rig.SettingAsync(UpdateCoordinator.InstalledSetting));
    }

    [Fact]
    public async Task MissingBundle_IsRefusedWithoutCallingRauc()
    {
        var report = await Updates.RunAsync(_rig.Dir.File("nothing.raucb"), CancellationToken.None);

        Assert.Equal("refused", report.Phase);
        Assert.Contains("nothing.raucb does not exist", report.Reason);
        Assert.Empty(Rauc.Calls);
        Assert.Equal(GatewayState.Online, State.Current.State);
    }

    [Fact]
    public async Task CheckedBundle_EntersUpdating_ShowsProgress_AndStaysUpdatingUntilTheReboot()
    {
        Rauc.Check = BundleCheck.Valid("2.0.0");
        var seen = new List<string>();
        Rauc.DuringInstall = progress =>
        {
            seen.Add($"{State.Current.StateName}");
            foreach (var (percent, step) in new[] { (20, "Checking slot"), (60, "Copying image to rootfs.1"), (100, "Installing done.") })
            {
                progress.Report(new InstallProgress(percent, step));
                var now = Updates.Current!;
                seen.Add($"{now.Phase} {now.Version} {now.Percent}% {now.Step}");
            }
        };

        var report = await Updates.RunAsync(_bundle, CancellationToken.None);

        Assert.Equal(["updating", "installing 2.0.0 20% Checking slot", "installing 2.0.0 60% Copying image to rootfs.1",
            "installing 2.0.0 100% Installing done."], seen);
        Assert.Equal(("installed", "2.0.0", "reboot to run it"), (report.Phase, report.Version, report.Step));
        Assert.Equal([$"check {_bundle}", $"install {_bundle}"], Rauc.Calls);
        Assert.Equal(GatewayState.Updating, State.Current.State);
        Assert.Equal("Installing update 2.0.0", State.Current.Reason);
        // Recorded for the next boot's report, but no reboot without --reboot.
        Assert.Equal($"{{\"version\":\"2.0.0\",\"at\":\"2026-12-02T12:00:00+00:00\",\"bootId\":\"{UpdateOutcomes.CurrentBootId()}\"}}",
            await _rig.SettingAsync(UpdateCoordinator.InstalledSetting));
        Assert.False(File.Exists(_rig.RebootFile));
    }

    [Fact]
    public async Task InstalledWithReboot_RequestsTheReboot()
    {
        Rauc.Check = BundleCheck.Valid("2.0.0");

        var report = await Updates.RunAsync(_bundle, CancellationToken.None, reboot: true);

        Assert.Equal(("installed", UpdateReport.Rebooting), (report.Phase, report.Step));
        Assert.StartsWith("update 2.0.0 installed; rebooting into it", report.Describe());
        Assert.Equal("2.0.0\n", await File.ReadAllTextAsync(_rig.RebootFile));
    }

    [Fact]
    public async Task FailedInstallation_LeavesUpdatingWithTheReason_AndRecordsNothing()
    {
        Rauc.Check = BundleCheck.Valid("2.0.0");
        Rauc.DuringInstall = _ => throw new UpdateFailedException("Installation error: Failed updating slot rootfs.1: No space left on device");

        var report = await Updates.RunAsync(_bundle, CancellationToken.None, reboot: true);

        Assert.Equal(("failed", "Installation error: Failed updating slot rootfs.1: No space left on device"), (report.Phase, report.Reason));
        Assert.Equal("update 2.0.0 failed: Installation error: Failed updating slot rootfs.1: No space left on device", report.Describe());
        // Back to where it was, with the failure as the reason status and the screen show.
        Assert.Equal(GatewayState.Online, State.Current.State);
        Assert.Equal("Update 2.0.0 failed: Installation error: Failed updating slot rootfs.1: No space left on device", State.Current.Reason);
        Assert.Null(await _rig.SettingAsync(UpdateCoordinator.InstalledSetting));
        Assert.False(File.Exists(_rig.RebootFile));
    }

    [Fact]
    public async Task SecondUpdateWhileOneRuns_IsRefusedAsBusy()
    {
        Rauc.Check = BundleCheck.Valid("2.0.0");
        var installing = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        Rauc.DuringInstallAsync = async _ => { installing.SetResult(); await release.Task; };

        var first = Updates.RunAsync(_bundle, CancellationToken.None);
        await installing.Task;
        var busy = await Assert.ThrowsAsync<UpdateBusyException>(() => Updates.RunAsync(_bundle, CancellationToken.None));
        var busyDownload = Assert.Throws<UpdateBusyException>(() => Updates.StartDownload(_rig.Server.UrlFor(), null, false, CancellationToken.None));
        release.SetResult();
        var report = await first;

        Assert.Contains("wasms-gateway-2.0.0.raucb", busy.Message);
        Assert.Contains("wasms-gateway-2.0.0.raucb", busyDownload.Message);
        Assert.Equal("installed", report.Phase);
        Assert.Equal(1, Rauc.Calls.Count(c => c.StartsWith("install", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task UpdateWhileBooting_IsRefusedBeforeInstalling()
    {
        var booting = new GatewayStateMachine(_rig.Time, NullLogger<GatewayStateMachine>.Instance);
        var updates = new UpdateCoordinator(Rauc, booting, _rig.Store, _rig.Downloader, _rig.RebootFile, _rig.Time, NullLogger<UpdateCoordinator>.Instance);
        Rauc.Check = BundleCheck.Valid("2.0.0");

        var report = await updates.RunAsync(_bundle, CancellationToken.None);

        Assert.Equal(("refused", "an update cannot start in state booting"), (report.Phase, report.Reason));
        Assert.DoesNotContain(Rauc.Calls, c => c.StartsWith("install", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Url_IsDownloadedResumedCheckedAndInstalled_ThenTheBundleIsDeleted()
    {
        _rig.Server.CutAfter[0] = 50_000;
        Rauc.Check = BundleCheck.Valid("2.0.0");
        string? checkedSha = null;
        Rauc.DuringInstall = _ => checkedSha = Sha(Rauc.Calls[0]["check ".Length..]);

        var started = Updates.StartDownload(_rig.Server.UrlFor(), _rig.Server.Sha256, reboot: true, CancellationToken.None);
        var report = await _rig.FinishAsync();

        Assert.Equal("downloading", started.Phase);
        Assert.Equal(("installed", "2.0.0", UpdateReport.Rebooting), (report.Phase, report.Version, report.Step));
        Assert.Equal("bytes=50000-", _rig.Server.Request(1)["range"]);
        Assert.Equal(_rig.Server.Sha256, checkedSha); // the whole file went to the check, then to RAUC
        Assert.StartsWith($"check {_rig.Downloader.Directory}/", Rauc.Calls[0]);
        Assert.Equal(["reboot-requested"], Directory.GetFiles(_rig.Downloader.Directory).Select(Path.GetFileName));
        Assert.Contains("\"version\":\"2.0.0\"", await _rig.SettingAsync(UpdateCoordinator.InstalledSetting));
    }

    [Fact]
    public async Task Url_WithAnotherSha256_IsRefusedBeforeTheCheck()
    {
        var started = Updates.StartDownload(_rig.Server.UrlFor(), new string('a', 64), reboot: true, CancellationToken.None);
        var report = await _rig.FinishAsync();

        Assert.Equal("refused", report.Phase);
        Assert.Contains($"has sha256 {_rig.Server.Sha256}, not the expected {new string('a', 64)}", report.Reason);
        Assert.Empty(Rauc.Calls);
        Assert.Equal(GatewayState.Online, State.Current.State);
        Assert.Empty(Directory.GetFiles(_rig.Downloader.Directory));
        Assert.Equal("downloading", started.Phase);
    }

    [Fact]
    public async Task Url_RefusedByTheCheck_IsDeleted()
    {
        Rauc.Check = BundleCheck.Refused("Compatible mismatch");

        Updates.StartDownload(_rig.Server.UrlFor(), null, reboot: false, CancellationToken.None);
        var report = await _rig.FinishAsync();

        Assert.Equal(("refused", "Compatible mismatch"), (report.Phase, report.Reason));
        Assert.Empty(Directory.GetFiles(_rig.Downloader.Directory));
        Assert.Null(await _rig.SettingAsync(UpdateCoordinator.InstalledSetting));
    }

    [Fact]
    public async Task Url_NotFound_FailsWithTheStatusAndChangesNothing()
    {
        _rig.Server.Status = System.Net.HttpStatusCode.NotFound;

        Updates.StartDownload(_rig.Server.UrlFor(), null, reboot: false, CancellationToken.None);
        var report = await _rig.FinishAsync();

        Assert.Equal("failed", report.Phase);
        Assert.EndsWith("the server answered 404 NotFound", report.Reason);
        Assert.StartsWith("update ", report.Describe());
        Assert.Empty(Rauc.Calls);
        Assert.Equal(GatewayState.Online, State.Current.State);
    }

    [Fact]
    public async Task Downloading_ShowsBytesAndPercent()
    {
        Rauc.Check = BundleCheck.Refused("stop here");
        var seen = new List<UpdateReport>();
        var progress = new Progress(seen, Updates);
        _rig.Server.CutAfter[0] = 100_000;

        Updates.StartDownload(_rig.Server.UrlFor(), null, reboot: false, CancellationToken.None);
        await Eventually.UntilAsync(() => { progress.Look(); return Updates.Installation!.IsCompleted; }, Eventually.DefaultTimeout,
            "the update to end", between: () => _rig.Time.Advance(TimeSpan.FromSeconds(5)));

        // After the cut the download waits for its retry: 100,000 of 200,000 bytes, 50 %.
        Assert.Contains(seen, r => r is { Phase: "downloading", Bytes: 100_000, Total: 200_000, Percent: 50 });
        Assert.Contains(seen.Select(r => r.Describe()), d => d.EndsWith(": 50% (0.1 of 0.2 MB)", StringComparison.Ordinal));
    }

    private static string Sha(string path) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));

    private sealed class Progress(List<UpdateReport> seen, UpdateCoordinator updates)
    {
        public void Look()
        {
            if (updates.Current is { } now && (seen.Count == 0 || seen[^1] != now))
            {
                seen.Add(now);
            }
        }
    }
}
