using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaSms.Core.State;
using WaSms.Gateway.Updates;
using WaSms.Testing;

namespace WaSms.Gateway.Tests.Updates;

/// <summary>
/// The gateway side of an update with a scripted RAUC (docs/updates.md, "Installing"): the bundle is
/// checked before anything changes, <c>updating</c> is entered only for a checked bundle, progress is
/// visible while RAUC works, and a failure leaves <c>updating</c> with its reason.
/// </summary>
public sealed class UpdateCoordinatorTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private readonly GatewayStateMachine _state;
    private readonly ScriptedRauc _rauc = new();
    private readonly UpdateCoordinator _updates;
    private readonly string _bundle;

    public UpdateCoordinatorTests()
    {
        _state = new GatewayStateMachine(_time, NullLogger<GatewayStateMachine>.Instance);
        _updates = new UpdateCoordinator(_rauc, _state, _time, NullLogger<UpdateCoordinator>.Instance);
        _bundle = _dir.File("wasms-gateway-2.0.0.raucb");
        File.WriteAllText(_bundle, "bundle bytes");
        Assert.True(_state.TryFire(new StateChange(GatewayTrigger.Connect, "Connecting")));
        Assert.True(_state.TryFire(new StateChange(GatewayTrigger.LinkUp, "Linked")));
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task RefusedBundle_ChangesNoStateAndIsNeverInstalled()
    {
        _rauc.Check = BundleCheck.Refused("signature verification failed: unable to get local issuer certificate");

        var report = await _updates.RunAsync(_bundle, CancellationToken.None);

        Assert.Equal(("refused", "signature verification failed: unable to get local issuer certificate"), (report.Phase, report.Reason));
        Assert.Equal("wasms-gateway-2.0.0.raucb refused: signature verification failed: unable to get local issuer certificate", report.Describe());
        Assert.Equal(GatewayState.Online, _state.Current.State);
        Assert.Equal([$"check {_bundle}"], _rauc.Calls);
        Assert.Equal(report, _updates.Current);
    }

    [Fact]
    public async Task MissingBundle_IsRefusedWithoutCallingRauc()
    {
        var report = await _updates.RunAsync(_dir.File("nothing.raucb"), CancellationToken.None);

        Assert.Equal("refused", report.Phase);
        Assert.Contains("nothing.raucb does not exist", report.Reason);
        Assert.Empty(_rauc.Calls);
        Assert.Equal(GatewayState.Online, _state.Current.State);
    }

    [Fact]
    public async Task CheckedBundle_EntersUpdating_ShowsProgress_AndStaysUpdatingUntilTheReboot()
    {
        _rauc.Check = BundleCheck.Valid("2.0.0");
        var seen = new List<string>();
        _rauc.DuringInstall = progress =>
        {
            seen.Add($"{_state.Current.StateName}");
            foreach (var (percent, step) in new[] { (20, "Checking slot"), (60, "Copying image to rootfs.1"), (100, "Installing done.") })
            {
                progress.Report(new InstallProgress(percent, step));
                var now = _updates.Current!;
                seen.Add($"{now.Phase} {now.Version} {now.Percent}% {now.Step}");
            }
        };

        var report = await _updates.RunAsync(_bundle, CancellationToken.None);

        Assert.Equal(["updating", "installing 2.0.0 20% Checking slot", "installing 2.0.0 60% Copying image to rootfs.1",
            "installing 2.0.0 100% Installing done."], seen);
        Assert.Equal(("installed", "2.0.0", "reboot to run it"), (report.Phase, report.Version, report.Step));
        Assert.Equal([$"check {_bundle}", $"install {_bundle}"], _rauc.Calls);
        Assert.Equal(GatewayState.Updating, _state.Current.State);
        Assert.Equal("Installing update 2.0.0", _state.Current.Reason);
    }

    [Fact]
    public async Task FailedInstallation_LeavesUpdatingWithTheReason()
    {
        _rauc.Check = BundleCheck.Valid("2.0.0");
        _rauc.DuringInstall = _ => throw new UpdateFailedException("Installation error: Failed updating slot rootfs.1: No space left on device");

        var report = await _updates.RunAsync(_bundle, CancellationToken.None);

        Assert.Equal(("failed", "Installation error: Failed updating slot rootfs.1: No space left on device"), (report.Phase, report.Reason));
        Assert.Equal("update 2.0.0 failed: Installation error: Failed updating slot rootfs.1: No space left on device", report.Describe());
        // Back to where it was, with the failure as the reason status and the screen show.
        Assert.Equal(GatewayState.Online, _state.Current.State);
        Assert.Equal("Update 2.0.0 failed: Installation error: Failed updating slot rootfs.1: No space left on device", _state.Current.Reason);
    }

    [Fact]
    public async Task SecondUpdateWhileOneRuns_IsRefusedAsBusy()
    {
        _rauc.Check = BundleCheck.Valid("2.0.0");
        var installing = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        _rauc.DuringInstallAsync = async _ => { installing.SetResult(); await release.Task; };

        var first = _updates.RunAsync(_bundle, CancellationToken.None);
        await installing.Task;
        var busy = await Assert.ThrowsAsync<UpdateBusyException>(() => _updates.RunAsync(_bundle, CancellationToken.None));
        release.SetResult();
        var report = await first;

        Assert.Contains("wasms-gateway-2.0.0.raucb", busy.Message);
        Assert.Equal("installed", report.Phase);
        Assert.Equal(1, _rauc.Calls.Count(c => c.StartsWith("install", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task UpdateWhileBooting_IsRefusedBeforeInstalling()
    {
        var booting = new GatewayStateMachine(_time, NullLogger<GatewayStateMachine>.Instance);
        var updates = new UpdateCoordinator(_rauc, booting, _time, NullLogger<UpdateCoordinator>.Instance);
        _rauc.Check = BundleCheck.Valid("2.0.0");

        var report = await updates.RunAsync(_bundle, CancellationToken.None);

        Assert.Equal(("refused", "an update cannot start in state booting"), (report.Phase, report.Reason));
        Assert.DoesNotContain(_rauc.Calls, c => c.StartsWith("install", StringComparison.Ordinal));
    }

    /// <summary>RAUC as a script: a fixed check result and an action run while "installing".</summary>
    private sealed class ScriptedRauc : IRaucAdapter
    {
        public BundleCheck Check { get; set; } = BundleCheck.Refused("not scripted");
        public Action<IProgress<InstallProgress>>? DuringInstall { get; set; }
        public Func<IProgress<InstallProgress>, Task>? DuringInstallAsync { get; set; }
        public List<string> Calls { get; } = [];

        public Task<BundleCheck> CheckAsync(string bundlePath, CancellationToken cancellationToken)
        {
            Calls.Add($"check {bundlePath}");
            return Task.FromResult(Check);
        }

        public async Task InstallAsync(string bundlePath, IProgress<InstallProgress> progress, CancellationToken cancellationToken)
        {
            Calls.Add($"install {bundlePath}");
            DuringInstall?.Invoke(progress);
            if (DuringInstallAsync is not null)
            {
                await DuringInstallAsync(progress);
            }
        }
    }
}
