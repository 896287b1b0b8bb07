using Microsoft.Extensions.Logging;
using WaSms.Core.State;
using WaSms.Storage;

namespace WaSms.Gateway.Updates;

/// <summary>
/// Runs one update at a time: download the bundle when it is a URL, check it completely, and only then enter
/// <c>updating</c> and install it (docs/updates.md §5). A refused bundle changes no state and writes nothing; an
/// installation that fails leaves <c>updating</c> through <see cref="GatewayTrigger.UpdateFailed"/> with the reason.
/// An installed one is recorded in <see cref="InstalledSetting"/>, takes the platform's offer of its version away,
/// and, when asked, requests the reboot. Progress is in <see cref="Current"/> for <c>status</c>.
/// </summary>
public sealed class UpdateCoordinator(IRaucAdapter rauc, GatewayStateMachine state, GatewayStore store, BundleDownloader downloader,
    string rebootRequestFile, TimeProvider time, ILogger<UpdateCoordinator> log, UpdateProgressFeed? progressFeed = null)
{
    /// <summary>
    /// Store setting written after every successful installation (<see cref="UpdateOutcomes.RecordInstalledAsync"/>):
    /// <c>{"version":"X","at":"ISO-8601","bootId":"…"}</c>; read after the reboot to report the update's success or its rollback.
    /// </summary>
    public const string InstalledSetting = UpdateOutcomes.InstalledSetting;

    private readonly Lock _gate = new();
    private UpdateReport? _current;
    private bool _running;

    /// <summary>The update in progress, or the last one since the service started (null: none).</summary>
    public UpdateReport? Current
    {
        get { lock (_gate) { return _current; } }
    }

    /// <summary>The installation started by the last <see cref="StartAsync"/> or <see cref="StartDownload"/>, until it ends (for tests and shutdown).</summary>
    public Task<UpdateReport>? Installation { get; private set; }

    /// <summary>The file whose appearance reboots the board (a root systemd path unit watches it).</summary>
    public string RebootRequestFile => rebootRequestFile;

    /// <summary>Checks and installs <paramref name="bundlePath"/>; returns the final report.</summary>
    /// <exception cref="UpdateBusyException">Another update is running.</exception>
    /// <param name="offeredVersion">The platform offer's version when installing it: that offer is cleared once installed, even
    /// when the bundle calls itself otherwise (else it would be installed again after the reboot).</param>
    public async Task<UpdateReport> RunAsync(string bundlePath, CancellationToken cancellationToken, bool reboot = false, string? offeredVersion = null)
    {
        var started = await StartAsync(bundlePath, cancellationToken, reboot, offeredVersion);
        return started.Phase == "installing" ? await Installation! : started;
    }

    /// <summary>
    /// Checks <paramref name="bundlePath"/> and, when it passes, enters <c>updating</c> and starts the
    /// installation in the background (<see cref="Installation"/>); returns after the check, so the CLI
    /// hears a refusal at once and follows the installation in <c>status</c>. <paramref name="reboot"/>:
    /// request the reboot once installed.
    /// </summary>
    /// <exception cref="UpdateBusyException">Another update is running.</exception>
    public async Task<UpdateReport> StartAsync(string bundlePath, CancellationToken cancellationToken, bool reboot = false, string? offeredVersion = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(bundlePath);
        Enter();
        var handedOver = false;
        try
        {
            var started = await CheckAndEnterAsync(bundlePath, cancellationToken);
            if (started.Phase == "installing")
            {
                Installation = ReleaseAfter(InstallAsync(bundlePath, started, reboot, offeredVersion, cancellationToken));
                handedOver = true;
            }
            return started;
        }
        finally
        {
            if (!handedOver)
            {
                Leave();
            }
        }
    }

    /// <summary>
    /// Starts downloading <paramref name="url"/> in the background, then checks and installs it like
    /// <see cref="StartAsync"/>; returns the <c>downloading</c> report at once. The whole run is <see cref="Installation"/>.
    /// </summary>
    /// <exception cref="UpdateBusyException">Another update is running.</exception>
    public UpdateReport StartDownload(Uri url, string? sha256, bool reboot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        Enter();
        var downloading = Report(new UpdateReport("downloading", BundleDownloader.FileNameFor(url), null, null, null, null, time.GetUtcNow(), 0, null));
        Installation = ReleaseAfter(DownloadAndInstallAsync(url, sha256, reboot, cancellationToken));
        return downloading;
    }

    /// <summary>
    /// Downloads <paramref name="url"/> without installing it (the platform's offer waits for a quiet moment); returns the
    /// bundle's path, or null with the reason in <see cref="Current"/> (<c>refused</c> or <c>failed</c>).
    /// </summary>
    /// <exception cref="UpdateBusyException">Another update is running.</exception>
    public async Task<string?> DownloadAsync(Uri url, string? sha256, CancellationToken cancellationToken)
    {
        Enter();
        try
        {
            return await DownloadCoreAsync(url, sha256, cancellationToken);
        }
        finally
        {
            Leave();
        }
    }

    private async Task<UpdateReport> DownloadAndInstallAsync(Uri url, string? sha256, bool reboot, CancellationToken cancellationToken)
    {
        await Task.Yield(); // StartDownload returns its report before the first request goes out
        if (await DownloadCoreAsync(url, sha256, cancellationToken) is not { } path)
        {
            return Current!;
        }
        var started = await CheckAndEnterAsync(path, cancellationToken);
        return started.Phase == "installing" ? await InstallAsync(path, started, reboot, null, cancellationToken) : started;
    }

    private async Task<string?> DownloadCoreAsync(Uri url, string? sha256, CancellationToken cancellationToken)
    {
        var name = BundleDownloader.FileNameFor(url);
        var since = time.GetUtcNow();
        Report(new UpdateReport("downloading", name, null, null, null, null, since, 0, null));
        var progress = new SynchronousProgress<DownloadProgress>(p => Report(new UpdateReport("downloading", name, null,
            p.Total is > 0 and var total ? (int)(p.Bytes * 100 / total) : null, null, null, since, p.Bytes, p.Total)));
        try
        {
            return await downloader.DownloadAsync(url, sha256, progress, cancellationToken);
        }
        catch (BundleDownloadException ex) when (ex.Refused)
        {
            Refuse(name, ex.Message);
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Any end of the download is reported, so that the CLI following it in status stops too.
            log.LogWarning("Update download {Bundle} failed: {Reason}", name, ex.Message);
            Report(new UpdateReport("failed", name, null, null, null, ex.Message, time.GetUtcNow()));
            return null;
        }
        catch (OperationCanceledException)
        {
            Report(new UpdateReport("failed", name, null, null, null, "interrupted: the gateway stopped (the download resumes at the next try)", time.GetUtcNow()));
            throw;
        }
    }

    /// <summary>The check, and on success <c>updating</c>: the <c>installing</c> report, or the refusal.</summary>
    private async Task<UpdateReport> CheckAndEnterAsync(string bundlePath, CancellationToken cancellationToken)
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
        return Report(new UpdateReport("installing", name, version, 0, "starting", null, time.GetUtcNow()));
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
        if (!check.Ok)
        {
            downloader.DeleteBundles(); // a refused bundle is of no further use
            return Refuse(name, check.Reason ?? "refused");
        }
        return new UpdateReport("checked", name, check.Version, null, null, null, time.GetUtcNow());
    }

    private async Task<UpdateReport> InstallAsync(string bundlePath, UpdateReport started, bool reboot, string? offeredVersion, CancellationToken cancellationToken)
    {
        var (name, version) = (started.Bundle, started.Version);
        var progress = new SynchronousProgress<InstallProgress>(p => Report(new UpdateReport("installing", name, version,
            Math.Clamp(p.Percent, 0, 100), p.Step, null, started.Since)));
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
        var rebooting = await RecordInstalledAsync(version ?? "unknown", reboot, offeredVersion);
        return Report(new UpdateReport("installed", name, version, 100, rebooting ? UpdateReport.Rebooting : "reboot to run it", null, time.GetUtcNow()));
    }

    /// <summary>
    /// After an installation: <see cref="InstalledSetting"/>, the offer of this version cleared, the bundles deleted, and
    /// the reboot requested when <paramref name="reboot"/>; returns whether it was. A store that fails here leaves the
    /// new slot primary: the next reboot, whenever it comes, runs it.
    /// </summary>
    private async Task<bool> RecordInstalledAsync(string version, bool reboot, string? offeredVersion)
    {
        try
        {
            await UpdateOutcomes.RecordInstalledAsync(store, version, time.GetUtcNow(), CancellationToken.None, UpdateOutcomes.CurrentBootId());
            if (await UpdateOffers.ReadAsync(store, CancellationToken.None) is { } offer
                && (string.Equals(offer.Version, version, StringComparison.OrdinalIgnoreCase) || string.Equals(offer.Version, offeredVersion, StringComparison.Ordinal)))
            {
                if (offeredVersion is not null && !string.Equals(offeredVersion, version, StringComparison.OrdinalIgnoreCase))
                {
                    log.LogWarning("The platform offered {Offered}, but the bundle installed is {Version}", offeredVersion, version);
                }
                await UpdateOffers.ClearAsync(store, state, CancellationToken.None);
            }
            downloader.DeleteBundles();
            if (!reboot)
            {
                return false;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(rebootRequestFile)!);
            await File.WriteAllTextAsync(rebootRequestFile, version + "\n", CancellationToken.None);
            log.LogInformation("Reboot requested ({File}) to run update {Version}", rebootRequestFile, version);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or StoreException)
        {
            log.LogError("Update {Version} is installed, but recording it failed ({Reason}); no reboot requested", version, ex.Message);
            return false;
        }
    }

    private void Enter()
    {
        lock (_gate)
        {
            if (_running)
            {
                throw new UpdateBusyException(_current?.Bundle ?? "another bundle");
            }
            _running = true;
        }
    }

    private void Leave()
    {
        lock (_gate) { _running = false; }
    }

    private async Task<UpdateReport> ReleaseAfter(Task<UpdateReport> run)
    {
        try
        {
            return await run;
        }
        finally
        {
            Leave();
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
        progressFeed?.Report(report); // the screen, LEDs and MQTT see it as an UpdateProgress notice (throttled there)
        return report;
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool and reorder).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

/// <summary>An update is already running.</summary>
public sealed class UpdateBusyException(string bundle) : Exception($"an update is already running ({bundle})");
