using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WaSms.Core.Reset;
using WaSms.Core.State;
using WaSms.Gateway.Configuration;
using WaSms.Core.Requests;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Socket;
using WaSms.WhatsApp.Store;

namespace WaSms.Gateway.Links;

/// <summary>
/// Keeps the WhatsApp link up and tells the state machine what happens to it: QR codes while
/// unpaired, pairing, online, lost links (reconnect with jittered backoff), logged out, outdated
/// client. Waits for the button (or a reset) where reconnecting on its own would be wrong.
/// </summary>
public sealed partial class WhatsAppLinkService(
    WhatsAppOptions options,
    Configuration.MessagingOptions messaging,
    Storage.IWhatsAppSessionStore session,
    ISignalStore signalStore,
    IMessageStore messageStore,
    GatewayStateMachine machine,
    UserRequests requests,
    Core.Health.HealthCounters counters,
    TimeProvider time,
    ILogger<WhatsAppLinkService> log,
    WhatsApp.Messaging.Send.ISendGate? sendGate = null,
    Hosting.MemoryRelease? memory = null) : BackgroundService, IResetParticipant
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);

    /// <summary>How long a reset waits for the cancelled link to stop before the store wipe runs.</summary>
    private static readonly TimeSpan RunStopTimeout = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private CancellationTokenSource? _current;
    /// <summary>Completed when the current run iteration has ended (the client no longer writes to the store).</summary>
    private TaskCompletionSource _runEnded = CompletedRun();
    private WaClient? _client;
    private volatile Hold _hold;
    private volatile bool _sessionInvalid;
    private volatile bool _pairingCodeShown;
    private volatile bool _clockWrong;
    private readonly ClockSyncWatch _clockSync = new(time);

    /// <summary>Why the service is not reconnecting on its own.</summary>
    private enum Hold
    {
        None,
        /// <summary>Logged out, QR codes used up, replaced by another session: wait for the button.</summary>
        UntilButton,
        /// <summary>WhatsApp rejected our version: retrying with the same version cannot help.</summary>
        UntilRestart,
        /// <summary>A reset is wiping the session: starting before the wipe ends would reuse it.</summary>
        UntilResetDone,
    }

    string IResetParticipant.Name => "whatsapp link";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Let the host finish starting (READY) before the first connection attempt runs.
        await Task.Yield();
        requests.RetryRequested += OnRetryRequested;
        var clientOptions = CreateClientOptions();
        var backoff = MinBackoff;
        var everConnected = false;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (_hold != Hold.None)
                {
                    await _wake.WaitAsync(stoppingToken);
                    continue;
                }
                using var run = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Volatile.Write(ref _runEnded, ended);
                Volatile.Write(ref _current, run);
                var client = new WaClient(clientOptions, session.Credentials, session.PreKeys);
                Volatile.Write(ref _client, client);
                var linked = false;
                client.EventRaised += (_, e) =>
                {
                    if (e is Connected)
                    {
                        if (everConnected)
                        {
                            counters.WhatsAppReconnected(); // telemetry: how often the link had to come back
                        }
                        everConnected = true;
                    }
                    linked |= OnEvent(e);
                };
                try
                {
                    await client.RunAsync(run.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // A reset or a button press restarted the link.
                    backoff = MinBackoff;
                    continue;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LinkDown($"WhatsApp connection failed: {ex.Message}");
                }
                finally
                {
                    StopWaitingForOfflineSync();
                    Volatile.Write(ref _current, null);
                    Volatile.Write(ref _client, null);
                    ended.TrySetResult();
                }
                if (_sessionInvalid)
                {
                    // Logged out: the stored session is worthless; the next link starts with fresh keys.
                    try
                    {
                        await session.ForgetAsync(stoppingToken);
                        _sessionInvalid = false;
                        log.LogWarning("Forgot the logged-out WhatsApp session");
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // A busy WAL or a full disk must not stop the service; _sessionInvalid stays
                        // set, so the wipe (deletes and scrub) runs again after the next attempt.
                        log.LogWarning("Could not yet forget the logged-out WhatsApp session ({Error}); trying again later", ex.Message);
                    }
                }
                if (_hold != Hold.None)
                {
                    continue;
                }
                if (_clockWrong)
                {
                    // Retrying cannot help until the clock is right: reconnect as soon as it is set
                    // (NTP), and at least every MaxBackoff in case the estimate was wrong.
                    _clockWrong = false;
                    var change = await _clockSync.WaitForSyncAsync(MaxBackoff, stoppingToken);
                    log.LogInformation("Reconnecting to WhatsApp ({Why})", change is null ? "clock still unsynchronised; trying again" : $"the clock was {change}");
                    backoff = MinBackoff;
                    continue;
                }
                backoff = linked ? MinBackoff : TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
                // Full jitter: many gateways losing the same network must not come back in step.
                var delay = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * backoff.TotalMilliseconds) + MinBackoff;
                log.LogInformation("Reconnecting to WhatsApp in {Delay:0.0} s", delay.TotalSeconds);
                await Task.Delay(delay, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            requests.RetryRequested -= OnRetryRequested;
        }
    }

    /// <returns>True when the event shows the link worked (resets the backoff).</returns>
    private bool OnEvent(WaEvent e)
    {
        switch (e)
        {
            case QrIssued when _pairingCodeShown:
                return true; // the customer chose the phone-number code: keep it on screen
            case QrIssued qr:
                machine.TryFire(new StateChange(GatewayTrigger.NeedsPairing, "Scan the QR code with WhatsApp",
                    new PairingInfo(qr.Code, time.GetUtcNow() + qr.ValidFor, RefNumber: qr.RefNumber, RefCount: qr.RefCount)));
                return true;
            case QrRefsExhausted:
                _hold = Hold.UntilButton;
                machine.TryFire(new StateChange(GatewayTrigger.NeedsPairing, "The QR codes expired; press the button for new ones", new PairingInfo(null)));
                return false;
            case PairingCodeIssued issued:
                _pairingCodeShown = true;
                machine.TryFire(new StateChange(GatewayTrigger.NeedsPairing,
                    $"On your phone: {LinkTexts.PhoneNumberPath}, then enter the code",
                    new PairingInfo(null, PairingCode: issued.Code)));
                return true;
            case PairingCodeFailed failed:
                _pairingCodeShown = false;
                machine.TryFire(new StateChange(GatewayTrigger.NeedsPairing, $"Linking with the code failed ({failed.Message}); scan the QR or ask for a new code"));
                return false;
            case PairSuccess paired:
                _pairingCodeShown = false;
                var account = new LinkedAccount(paired.Jid.ToString(), paired.Lid?.ToString());
                machine.TryFire(new StateChange(GatewayTrigger.PairingStarted, $"Linked to {account.MaskedNumber}; logging in", Account: account));
                machine.TryFire(new StateChange(GatewayTrigger.Connect, $"Linked to {account.MaskedNumber}; logging in", Account: account));
                return true;
            case PairError error:
                machine.TryFire(new StateChange(GatewayTrigger.NeedsPairing, $"Linking failed ({error.Message}); scan again"));
                return false;
            case Connected connected:
                OnLoggedIn(connected);
                return true;
            case OfflineSyncCompleted synced:
                OnOfflineSyncCompleted(synced);
                return true;
            case LoggedOut when machine.Current.State == GatewayState.Resetting:
                return false; // our own logout, as part of a reset: the reset path carries on
            case LoggedOut loggedOut:
                _hold = Hold.UntilButton;
                _sessionInvalid = true;
                machine.TryFire(new StateChange(GatewayTrigger.LoggedOut,
                    $"WhatsApp logged this gateway out ({loggedOut.Reason}{(loggedOut.Detail is null ? "" : ": " + loggedOut.Detail)}); hold the button 5 s to link again"));
                return false;
            case ClientOutdated:
                _hold = Hold.UntilRestart;
                machine.TryFire(new StateChange(GatewayTrigger.VersionRejected,
                    $"WhatsApp rejected client version {options.ClientVersion} (405); update WhatsApp:ClientVersion or the firmware"));
                return false;
            case PreKeysUploaded uploaded:
                log.LogInformation("Uploaded {Count} prekeys (WhatsApp had {ServerHad})", uploaded.Count, uploaded.ServerHad);
                if (uploaded.Count >= PreKeyUpload.InitialCount)
                {
                    // A new link's one-off burst (812 keys made, saved, encoded): hand the memory back
                    // to the OS now rather than keep it committed for the life of the process.
                    ReleaseMemory($"uploading {uploaded.Count} prekeys");
                }
                return true;
            case LoginStepFailed failed:
                // The link works without it; the next login tries again (whatsmeow and Baileys do the same).
                log.LogWarning("After login, {Step} failed: {Message}", failed.Step, failed.Message);
                return true;
            case KeepAliveTimeout timeout:
                LinkDown($"WhatsApp has not answered pings since {timeout.LastSuccess:HH:mm:ss}; waiting");
                return false;
            case KeepAliveRestored:
                if (machine.Current.State == GatewayState.Degraded && CaughtUp)
                {
                    machine.TryFire(new StateChange(GatewayTrigger.LinkUp, "Online"));
                }
                return true;
            case StreamError { Conflict: not null } replaced:
                _hold = Hold.UntilButton;
                LinkDown($"Another session replaced this one ({replaced.Conflict}); press the button to reconnect");
                return false;
            case StreamError stream:
                LinkDown($"WhatsApp closed the stream ({stream.Code}); reconnecting");
                return false;
            case ConnectFailure failure:
                LinkDown($"WhatsApp refused the login ({failure.Reason}{(failure.Message is null ? "" : ": " + failure.Message)}); reconnecting");
                return false;
            case ClockSkew skew:
                _clockSync.Mark();
                _clockWrong = true;
                var clock = ClockReason(skew.Offset, skew.FromServerDate);
                log.LogWarning("{Reason} ({Cause})", clock, skew.Cause.Message);
                if (machine.Current.State is GatewayState.Online or GatewayState.Degraded or GatewayState.Connecting)
                {
                    LinkDown(clock, GatewayProblem.ClockNotSet);
                }
                else
                {
                    machine.TryFire(new StateChange(GatewayTrigger.NeedsPairing, clock, new PairingInfo(null), Problem: GatewayProblem.ClockNotSet));
                }
                return false;
            case Disconnected disconnected:
                LinkDown(disconnected.Exception is null ? "WhatsApp connection closed; reconnecting" : $"WhatsApp connection lost ({disconnected.Exception.Message}); reconnecting");
                return false;
            default:
                return false;
        }
    }

    /// <summary>"Clock is 200 days behind: waiting for time sync (NTP)" — where the customer looks (issue #9 item 24).</summary>
    internal static string ClockReason(TimeSpan offset, bool measured)
    {
        var size = offset.Duration();
        // A measured offset is rounded (the Date header has whole seconds); a lower bound is not.
        int Count(double value) => (int)(measured ? Math.Round(value) : Math.Floor(value));
        var amount = size.TotalDays >= 1 ? Plural(Count(size.TotalDays), "day")
            : size.TotalHours >= 1 ? Plural(Count(size.TotalHours), "hour")
            : Plural(Math.Max(1, Count(size.TotalMinutes)), "minute");
        var direction = offset >= TimeSpan.Zero ? "behind" : "ahead";
        return $"Clock is {(measured ? "" : "at least ")}{amount} {direction}: waiting for time sync (NTP); check that the network allows it";

        static string Plural(int n, string unit) => n == 1 ? $"1 {unit}" : $"{n.ToString(CultureInfo.InvariantCulture)} {unit}s";
    }

    private void LinkDown(string reason, GatewayProblem problem = GatewayProblem.None)
    {
        if (machine.Current.State is GatewayState.Online or GatewayState.Degraded or GatewayState.Connecting)
        {
            machine.TryFire(new StateChange(GatewayTrigger.LinkDown, reason, Problem: problem));
        }
        else
        {
            log.LogWarning("{Reason}", reason);
        }
    }

    private void OnRetryRequested(object? sender, EventArgs e)
    {
        if (_hold == Hold.UntilButton)
        {
            log.LogInformation("Retry requested: starting the WhatsApp link again");
            _hold = Hold.None;
            _wake.Release();
        }
    }

    /// <summary>
    /// Asks WhatsApp for an 8-character code to link by phone number instead of the QR
    /// (<c>wasms-gateway pair-code +number</c>); the code goes to the screen through the state machine.
    /// </summary>
    /// <exception cref="InvalidOperationException">The gateway is not showing a QR right now.</exception>
    public async Task<string> RequestPairingCodeAsync(string phoneNumber, CancellationToken cancellationToken)
    {
        if (machine.Current.State != GatewayState.Unpaired || Volatile.Read(ref _client) is not { } client)
        {
            throw new InvalidOperationException($"a pairing code can be asked for only while unpaired and connected; the gateway is {machine.Current.StateName}: {machine.Current.Reason}");
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        return await client.RequestPairingCodeAsync(phoneNumber, timeout.Token);
    }

    Task<int> IResetParticipant.FlushAsync(ResetKind kind, CancellationToken cancellationToken) => Task.FromResult(0);

    /// <summary>
    /// The link's part in a reset is what it owns, the session on WhatsApp's side: it logs this device
    /// out (remove-companion-device, so it disappears from the phone's linked devices) while the
    /// stored session can still sign the request, and stops the link. The rows are the store's: its
    /// participant runs next and forgets them; <see cref="IResetParticipant.ResumeAsync"/> then starts
    /// the link again with fresh keys.
    /// </summary>
    async Task IResetParticipant.WipeAsync(ResetKind kind, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _client) is { } client && machine.Current.Account is not null)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            try
            {
                await client.LogoutAsync(timeout.Token);
                log.LogInformation("Logged out of WhatsApp");
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Offline or already removed: the local wipe goes ahead; the phone drops stale devices itself.
                log.LogWarning("Could not log out of WhatsApp ({Error}); forgetting the session anyway", ex.Message);
            }
        }
        _hold = Hold.UntilResetDone;
        _pairingCodeShown = false;
        _sessionInvalid = false; // the store participant forgets the session as part of the reset
        // _current is read before _runEnded (the loop writes them in the other order), so the
        // iteration waited for is never older than the one cancelled.
        Volatile.Read(ref _current)?.Cancel();
        var ended = Volatile.Read(ref _runEnded).Task;
        // The store participant wipes next: the cancelled client must have stopped writing
        // credentials and prekeys first, or a late write could land after the wipe.
        try
        {
            await ended.WaitAsync(RunStopTimeout, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            log.LogWarning("The WhatsApp link did not stop within {Seconds} s; wiping anyway", RunStopTimeout.TotalSeconds);
        }
    }

    private static TaskCompletionSource CompletedRun()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }

    Task IResetParticipant.ResumeAsync(ResetKind kind, CancellationToken cancellationToken)
    {
        _hold = Hold.None;
        _wake.Release();
        return Task.CompletedTask;
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
