using Microsoft.Extensions.Logging;
using WaSms.Core.State;

namespace WaSms.Gateway.Updates;

/// <summary>
/// Runs one update at a time: check the bundle completely, and only then enter <c>updating</c> and
/// install it (docs/updates.md). A refused bundle changes no state and writes nothing; an
/// installation that fails leaves <c>updating</c> through <see cref="GatewayTrigger.UpdateFailed"/>
/// with the reason. Progress is in <see cref="Current"/> for <c>status</c>.
/// </summary>
public sealed class UpdateCoordinator(IRaucAdapter rauc, GatewayStateMachine state, TimeProvider time, ILogger<UpdateCoordinator> log)
{
    private readonly Lock _gate = new();
    private UpdateReport? _current;
    private bool _running;

    /// <summary>The update in progress, or the last one since the service started (null: none).</summary>
    public UpdateReport? Current
    {
        get { lock (_gate) { return _current; } }
    }

    /// <summary>The installation started by the last <see cref="StartAsync"/>, until it ends (for tests and shutdown).</summary>
    public Task<UpdateReport>? Installation { get; private set; }

    /// <summary>Checks and installs <paramref name="bundlePath"/>; returns the final report.</summary>
    /// <exception cref="UpdateBusyException">Another update is running.</exception>
    public async Task<UpdateReport> RunAsync(string bundlePath, CancellationToken cancellationToken)
    {
        var started = await StartAsync(bundlePath, cancellationToken);
        return started.Phase == "installing" ? await Installation! : started;
    }

    /// <summary>
    /// Checks <paramref name="bundlePath"/> and, when it passes, enters <c>updating</c> and starts the
    /// installation in the background (<see cref="Installation"/>); returns after the check, so the CLI
    /// hears a refusal at once and follows the installation in <c>status</c>.
    /// </summary>
    /// <exception cref="UpdateBusyException">Another update is running.</exception>
    public async Task<UpdateReport> StartAsync(string bundlePath, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(bundlePath);
        lock (_gate)
        {
            if (_running)
            {
                throw new UpdateBusyException(_current?.Bundle ?? "another bundle");
            }
            _running = true;
        }
        var handedOver = false;
        try
        {
            var name = Path.GetFileName(bundlePath);
            var check = await CheckAsync(bundlePath, name, cancellationToken);
            if (check.Phase != "checked")
            {
                return check;
            }
            var version = check.Version;
            if (!state.TryFire(new StateChange(GatewayTrigger.UpdateStarted, $"Installing update {version}")))
            {
                return Refuse(name, $"an update cannot start in state {state.Current.StateName}");
            }
            log.LogInformation("Installing update {Version} from {Bundle}", version, name);
            var installing = Report(new UpdateReport("installing", name, version, 0, "starting", null, time.GetUtcNow()));
            Installation = InstallAsync(bundlePath, name, version, cancellationToken);
            handedOver = true;
            return installing;
        }
        finally
        {
            if (!handedOver)
            {
                lock (_gate) { _running = false; }
            }
        }
    }

    private async Task<UpdateReport> CheckAsync(string bundlePath, string name, CancellationToken cancellationToken)
    {
        Report(new UpdateReport("checking", name, null, null, "checking signature and contents", null, time.GetUtcNow()));
        if (!File.Exists(bundlePath))
        {
            return Refuse(name, $"{bundlePath} does not exist");
        }
        BundleCheck check;
        try
        {
            check = await rauc.CheckAsync(bundlePath, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Refuse(name, $"the bundle could not be checked: {ex.Message}");
        }
        return check.Ok
            ? new UpdateReport("checked", name, check.Version, null, null, null, time.GetUtcNow())
            : Refuse(name, check.Reason ?? "refused");
    }

    private async Task<UpdateReport> InstallAsync(string bundlePath, string name, string? version, CancellationToken cancellationToken)
    {
        try
        {
            var progress = new SynchronousProgress(p => Report(new UpdateReport("installing", name, version,
                Math.Clamp(p.Percent, 0, 100), p.Step, null, Current?.Since ?? time.GetUtcNow())));
            try
            {
                await rauc.InstallAsync(bundlePath, progress, cancellationToken);
            }
            catch (Exception ex) when (ex is UpdateFailedException or IOException || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                var reason = ex.Message;
                log.LogError("Update {Version} failed: {Reason}", version, reason);
                state.TryFire(new StateChange(GatewayTrigger.UpdateFailed, $"Update {version} failed: {reason}"));
                return Report(new UpdateReport("failed", name, version, null, null, reason, time.GetUtcNow()));
            }
            catch (OperationCanceledException)
            {
                // The service is stopping: RAUC's service finishes or aborts on its own; the slot is not primary unless it finished.
                state.TryFire(new StateChange(GatewayTrigger.UpdateFailed, $"Update {version} interrupted: the gateway stopped"));
                return Report(new UpdateReport("failed", name, version, null, null, "interrupted: the gateway stopped", time.GetUtcNow()));
            }
            log.LogInformation("Update {Version} installed; it runs after the next reboot", version);
            // The state stays updating until the reboot: the new slot is primary, the running one is not.
            return Report(new UpdateReport("installed", name, version, 100, "reboot to run it", null, time.GetUtcNow()));
        }
        finally
        {
            lock (_gate) { _running = false; }
        }
    }

    private UpdateReport Refuse(string name, string reason)
    {
        log.LogWarning("Update bundle {Bundle} refused: {Reason}", name, reason);
        return Report(new UpdateReport("refused", name, null, null, null, reason, time.GetUtcNow()));
    }

    private UpdateReport Report(UpdateReport report)
    {
        lock (_gate) { _current = report; }
        return report;
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool and reorder).</summary>
    private sealed class SynchronousProgress(Action<InstallProgress> report) : IProgress<InstallProgress>
    {
        public void Report(InstallProgress value) => report(value);
    }
}

/// <summary>An update is already running.</summary>
public sealed class UpdateBusyException(string bundle) : Exception($"an update is already running ({bundle})");
