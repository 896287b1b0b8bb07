using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WaSms.Core.Requests;
using WaSms.Core.State;
using WaSms.Gateway.Configuration;
using WaSms.Storage;

namespace WaSms.Gateway.Updates;

/// <summary>
/// Installs the platform's offer (<see cref="UpdateOffers"/>, docs/updates.md §5): downloads it in the background as soon
/// as it is stored, then installs it at a quiet moment — nothing queued to send or to hand over, and no message received,
/// sent or failed for <see cref="UpdatesOptions.QuietFor"/> — or at once when the offer is <c>urgent</c> or the customer
/// asked: <c>wasms-gateway update --offer</c>, or a short press of the button while the online or degraded screen shows
/// the offer (the press is a <see cref="UserRequests"/> retry, classified on release before the 5 s relink hold, so the
/// holds are untouched). Never while linking (unpaired, pairing) or resetting. The installation requests the reboot.
/// A refused or failed version is not tried again until a newer offer, a request, or a restart.
/// </summary>
public sealed class OfferInstaller : BackgroundService
{
    /// <summary>How often the stored offer and the quiet are looked at.</summary>
    internal static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(30);

    /// <summary>The wait before downloading again after a download failed (after its own retries).</summary>
    internal static readonly TimeSpan DownloadRetryAfter = TimeSpan.FromHours(1);

    private readonly UpdateCoordinator _updates;
    private readonly GatewayStore _store;
    private readonly GatewayStateMachine _machine;
    private readonly UpdatesOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<OfferInstaller> _log;
    private readonly UserRequests? _requests;
    private readonly string _running;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private string? _bundle;
    private string? _bundleVersion;
    private string? _givenUp;
    private DateTimeOffset _nextDownload = DateTimeOffset.MinValue;
    private DateTimeOffset? _quietSince;
    private (DateOnly, int, int, int)? _activity;
    private volatile bool _installNow;

    /// <param name="requests">The button's requests: a short press while the offer is shown installs it.</param>
    /// <param name="runningVersion">The firmware running now (tests); default: this build's.</param>
    public OfferInstaller(UpdateCoordinator updates, GatewayStore store, GatewayStateMachine machine, UpdatesOptions options,
        TimeProvider time, ILogger<OfferInstaller> log, UserRequests? requests = null, string? runningVersion = null)
    {
        (_updates, _store, _machine, _options, _time, _log, _requests) = (updates, store, machine, options, time, log, requests);
        _running = runningVersion ?? Control.StatusProvider.Version;
        if (requests is not null)
        {
            // From construction, not start: a press is heard whether or not the loop runs yet.
            requests.RetryRequested += OnShortPress;
        }
    }

    /// <summary>
    /// The customer asks for the offer now: it installs as soon as it is downloaded, without waiting for quiet.
    /// Returns the offered version, or null when there is no offer to install.
    /// </summary>
    public async Task<string?> InstallNowAsync(CancellationToken cancellationToken)
    {
        if (await UpdateOffers.ReadAsync(_store, cancellationToken) is not { Url.Length: > 0 } offer || IsRunning(offer))
        {
            return null;
        }
        Ask(offer.Version!);
        return offer.Version;
    }

    /// <summary>
    /// An offer from the CLI (<c>update URL --when-quiet</c>), kept and shown as the platform's <c>update-available</c> is
    /// (docs/tunnel.md §7.1): it replaces the stored offer, shows its version, and the loop looks at it now.
    /// </summary>
    public async Task OfferAsync(Tunnel.Protocol.UpdateOffer offer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(offer);
        await _store.SetSettingAsync(Tunnel.Sync.CommandHandler.UpdateSetting,
            System.Text.Json.JsonSerializer.Serialize(offer, Tunnel.Protocol.TunnelJson.Default.UpdateOffer), cancellationToken);
        _machine.Post(new UpdateNotice(offer.Version!));
        _log.LogInformation("Update {Version} offered from the command line{Urgent}", offer.Version, offer.Urgent == true ? " (urgent)" : "");
        Wake(offer.Version!, installNow: false);
    }

    /// <summary>A short press: a request to install when the screen shows the offer (online or degraded header), else not ours.</summary>
    private void OnShortPress(object? sender, EventArgs e)
    {
        var now = _machine.Current;
        if (now.State is GatewayState.Online or GatewayState.Degraded && now.OpenNotice<UpdateNotice>(_time.GetUtcNow()) is { } shown
            && !string.Equals(shown.Version, _running, StringComparison.OrdinalIgnoreCase))
        {
            _log.LogInformation("Button: install update {Version} now", shown.Version);
            Ask(shown.Version);
        }
    }

    private void Ask(string version) => Wake(version, installNow: true);

    /// <summary>Wakes the loop to look at <paramref name="version"/> now, given up or not (asked or offered again: one more try).</summary>
    private void Wake(string version, bool installNow)
    {
        if (string.Equals(_givenUp, version, StringComparison.OrdinalIgnoreCase))
        {
            _givenUp = null;
        }
        _installNow |= installNow;
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // already woken
        }
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // A reboot request from before this start has been acted on (or never will be): left in place, a path unit
        // watching it would reboot the board again at every boot.
        if (File.Exists(_updates.RebootRequestFile))
        {
            File.Delete(_updates.RebootRequestFile);
            _log.LogInformation("Removed the reboot request left from before this start ({File})", _updates.RebootRequestFile);
        }
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await StepAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Never stops the host: the offer waits, and the next look tries again.
                _log.LogWarning(ex, "Update offer: {Reason}; trying again shortly", ex.Message);
            }
            try
            {
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                await Task.WhenAny(Task.Delay(PollInterval, _time, tick.Token), _wake.WaitAsync(tick.Token));
                await tick.CancelAsync();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>One look: download the offer if needed, and install it when the moment is right (the loop calls it; tests drive it).</summary>
    internal async Task StepAsync(CancellationToken cancellationToken)
    {
        var offer = await UpdateOffers.ReadAsync(_store, cancellationToken);
        if (offer is not { Url.Length: > 0 } || IsRunning(offer) || string.Equals(_givenUp, offer.Version, StringComparison.OrdinalIgnoreCase))
        {
            _quietSince = null;
            return;
        }
        if (!_installNow && string.Equals(await UpdateOutcomes.RolledBackVersionAsync(_store, cancellationToken), offer.Version, StringComparison.OrdinalIgnoreCase))
        {
            // This version was installed and rolled back (a restart forgets _givenUp; the store does not): trying it again
            // by itself would loop install → rollback. Only a request (update --offer, the button) or a newer offer does.
            _log.LogWarning("Update {Version} was rolled back; not installing it again unless asked (wasms-gateway update --offer)", offer.Version);
            _givenUp = offer.Version;
            _quietSince = null;
            return;
        }
        if (_bundleVersion != offer.Version || _bundle is null || !File.Exists(_bundle))
        {
            _bundle = null;
            if (!await DownloadAsync(offer, cancellationToken))
            {
                return;
            }
        }
        if (!await IsMomentAsync(offer, cancellationToken))
        {
            return;
        }
        _log.LogInformation("Installing the platform's update {Version} ({Why})", offer.Version,
            offer.Urgent == true ? "urgent" : _installNow ? "asked for" : "quiet moment");
        UpdateReport report;
        try
        {
            report = await _updates.RunAsync(_bundle!, cancellationToken, reboot: true, offeredVersion: offer.Version);
        }
        catch (UpdateBusyException)
        {
            return; // an update from the CLI runs; look again later
        }
        _installNow = false;
        _bundle = null;
        if (report.Phase != "installed")
        {
            _givenUp = offer.Version;
            _log.LogWarning("The platform's update {Version} was not installed: {Reason}", offer.Version, report.Reason);
        }
    }

    private bool IsRunning(Tunnel.Protocol.UpdateOffer offer) => string.Equals(offer.Version, _running, StringComparison.OrdinalIgnoreCase);

    private async Task<bool> DownloadAsync(Tunnel.Protocol.UpdateOffer offer, CancellationToken cancellationToken)
    {
        if (_time.GetUtcNow() < _nextDownload)
        {
            return false;
        }
        var problem = BundleDownloader.CheckUrl(offer.Url!, _options.AllowHttp, out var url);
        var sha = offer.Sha256 is { Length: > 0 } given ? given : null;
        if (problem is null && sha is not null && !BundleDownloader.IsSha256(sha))
        {
            problem = $"sha256 \"{sha}\" is not 64 hex digits";
        }
        if (problem is not null)
        {
            _givenUp = offer.Version;
            _log.LogWarning("The platform's update {Version} cannot be downloaded: {Problem}", offer.Version, problem);
            return false;
        }
        string? path;
        try
        {
            path = await _updates.DownloadAsync(url!, sha, cancellationToken);
        }
        catch (UpdateBusyException)
        {
            return false;
        }
        if (path is null)
        {
            if (_updates.Current?.Phase == "refused")
            {
                _givenUp = offer.Version;
            }
            else
            {
                _nextDownload = _time.GetUtcNow() + DownloadRetryAfter;
            }
            return false;
        }
        (_bundle, _bundleVersion, _quietSince) = (path, offer.Version, null);
        return true;
    }

    /// <summary>Whether to install now: urgent or asked for, else after <see cref="UpdatesOptions.QuietFor"/> of quiet.</summary>
    private async Task<bool> IsMomentAsync(Tunnel.Protocol.UpdateOffer offer, CancellationToken cancellationToken)
    {
        var state = _machine.Current.State;
        if (state is GatewayState.Booting or GatewayState.Pairing or GatewayState.Resetting or GatewayState.Updating)
        {
            _quietSince = null;
            return false;
        }
        if (offer.Urgent == true || _installNow)
        {
            return true;
        }
        if (state == GatewayState.Unpaired)
        {
            // A QR or code may be on screen right now: only an urgent or asked-for update restarts it.
            _quietSince = null;
            return false;
        }
        var now = _time.GetUtcNow();
        var queued = (await _store.GetQueueDepthsAsync(cancellationToken)).Values.Sum() + await _store.CountPendingSendsAsync(cancellationToken);
        var today = await _store.GetDailyCountersAsync(DateOnly.FromDateTime(_time.GetLocalNow().DateTime), cancellationToken);
        var activity = (today.Day, today.In, today.Out, today.Failed);
        if (queued > 0 || activity != _activity)
        {
            // Busy, or something was received, sent or failed since the last look: the quiet starts again.
            (_activity, _quietSince) = (activity, queued > 0 ? null : now);
            return false;
        }
        _quietSince ??= now;
        return now - _quietSince >= _options.QuietFor;
    }

    public override void Dispose()
    {
        if (_requests is not null)
        {
            _requests.RetryRequested -= OnShortPress;
        }
        _wake.Dispose();
        base.Dispose();
    }
}
