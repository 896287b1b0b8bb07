using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace WaSms.Core.State;

/// <summary>
/// The single source of truth for the gateway's state. Producers (WhatsApp client, tunnel, reset
/// path) call <see cref="TryFire"/>; display, LEDs, MQTT, systemd STATUS and the CLI only read
/// <see cref="Current"/> or <see cref="Subscribe"/>.
/// </summary>
public sealed class GatewayStateMachine
{
    private readonly TimeProvider _time;
    private readonly ILogger<GatewayStateMachine> _log;
    private readonly Lock _gate = new();
    private readonly List<Channel<GatewaySnapshot>> _subscribers = [];
    private GatewaySnapshot _current;
    private GatewaySnapshot? _resumeTo;

    public GatewayStateMachine(TimeProvider time, ILogger<GatewayStateMachine> log)
    {
        _time = time;
        _log = log;
        _current = new GatewaySnapshot(GatewayState.Booting, "Starting up", time.GetUtcNow(), 0);
    }

    public GatewaySnapshot Current
    {
        get { lock (_gate) { return _current; } }
    }

    /// <summary>Applies <paramref name="change"/> if the table allows it in the current state.</summary>
    /// <returns>False (and a warning in the log) when the trigger is not allowed now.</returns>
    public bool TryFire(StateChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        GatewaySnapshot previous, next;
        lock (_gate)
        {
            previous = _current;
            if (!GatewayTransitions.TryGetTarget(previous.State, change.Trigger, out var target))
            {
                _log.LogWarning("Ignored {Trigger} in state {State}", change.Trigger, previous.StateName);
                return false;
            }

            GatewaySnapshot basis = previous;
            if (target is null)
            {
                // Resume: the state held before resetting/updating, with its details.
                basis = _resumeTo ?? previous;
                target = basis.State;
                _resumeTo = null;
            }
            else if (target is GatewayState.Resetting or GatewayState.Updating)
            {
                _resumeTo = previous;
            }

            var state = target.Value;
            var account = change.Account ?? basis.Account;
            var pairing = state == GatewayState.Unpaired ? change.Pairing ?? basis.Pairing : null;
            if (state is GatewayState.Unpaired or GatewayState.RelinkNeeded)
            {
                account = change.Account; // no longer linked: forget the old account
            }
            var since = state == previous.State ? previous.Since : _time.GetUtcNow();
            var notices = Notices(previous.Notices, change.Notice);
            if (state != GatewayState.Updating && notices?.Any(n => n is UpdateProgress) == true)
            {
                // Progress belongs to the updating screen: a failed update resumes the old state without it.
                notices = notices.Where(n => n is not UpdateProgress).ToArray() is { Length: > 0 } kept ? kept : null;
            }
            next = new GatewaySnapshot(state, change.Reason, since, previous.Sequence + 1, pairing, account, change.Problem,
                notices, previous.Platform);
            _current = next;
            Publish(_subscribers, next);
        }

        if (next.State != previous.State)
        {
            _log.LogInformation("State {From} -> {To}: {Reason}", previous.StateName, next.StateName, next.Reason);
        }
        return true;
    }

    /// <summary>
    /// Tells every observer <paramref name="notice"/> without a state change (e.g. a refused setup
    /// file at start): a new snapshot of the same state that carries it until it lapses.
    /// </summary>
    public void Post(GatewayNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        GatewaySnapshot next;
        lock (_gate)
        {
            next = _current with { Sequence = _current.Sequence + 1, Notices = Notices(_current.Notices, notice) };
            _current = next;
            Publish(_subscribers, next);
        }
    }

    /// <summary>
    /// Takes the open notice of kind <typeparamref name="T"/> away from every observer (e.g. the installer, once the
    /// offered update is installed): a new snapshot of the same state without it.
    /// </summary>
    /// <returns>False when no such notice was open (no snapshot published).</returns>
    public bool Withdraw<T>() where T : GatewayNotice
    {
        lock (_gate)
        {
            if (_current.Notices?.OfType<T>().Any() != true)
            {
                return false;
            }
            var kept = _current.Notices.Where(n => n is not T).ToArray();
            var next = _current with { Sequence = _current.Sequence + 1, Notices = kept.Length == 0 ? null : kept };
            _current = next;
            Publish(_subscribers, next);
        }
        return true;
    }

    /// <summary>
    /// Records the platform link's sub-state (only the tunnel calls this): a new snapshot of the same
    /// state carrying it, so the screen, LEDs, MQTT and <c>status</c> see it as they see any change.
    /// The WhatsApp state is untouched: the gateway keeps sending while the platform is away.
    /// </summary>
    /// <returns>False when the link was already exactly that (no snapshot published).</returns>
    public bool SetPlatform(PlatformLinkState state, string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        PlatformLink? before;
        GatewaySnapshot next;
        lock (_gate)
        {
            before = _current.Platform;
            if (before is not null && before.State == state && before.Reason == reason)
            {
                return false;
            }
            var link = new PlatformLink(state, reason, before?.State == state ? before.Since : _time.GetUtcNow());
            next = _current with { Sequence = _current.Sequence + 1, Platform = link };
            _current = next;
            Publish(_subscribers, next);
        }
        if (before?.State != state)
        {
            if (string.IsNullOrEmpty(reason))
            {
                _log.LogInformation("Platform link {From} -> {To}", before?.StateName ?? "none", next.Platform!.StateName);
            }
            else
            {
                _log.LogInformation("Platform link {From} -> {To}: {Reason}", before?.StateName ?? "none", next.Platform!.StateName, reason);
            }
        }
        return true;
    }

    /// <summary>The open notices carried forward, <paramref name="added"/> replacing one of its kind; null when none.</summary>
    private GatewayNotice[]? Notices(IReadOnlyList<GatewayNotice>? open, GatewayNotice? added)
    {
        var now = _time.GetUtcNow();
        var kept = (open ?? []).Where(n => n.Until > now && (added is null || n.GetType() != added.GetType()));
        GatewayNotice[] notices = added is null ? [.. kept] : [.. kept, added];
        return notices.Length == 0 ? null : notices;
    }

    /// <summary>
    /// Called under the lock, so every subscriber sees snapshots in sequence order even when a
    /// transition and a posted notice race; a write never blocks (bounded, drop-oldest) and runs no
    /// reader code inline (no synchronous continuations).
    /// </summary>
    private static void Publish(List<Channel<GatewaySnapshot>> subscribers, GatewaySnapshot next)
    {
        foreach (var channel in subscribers)
        {
            channel.Writer.TryWrite(next);
        }
    }

    /// <summary>
    /// A stream of snapshots, starting with the current one. A slow reader loses intermediate
    /// snapshots, never the latest. Dispose the subscription to stop it.
    /// </summary>
    public StateSubscription Subscribe()
    {
        var channel = Channel.CreateBounded<GatewaySnapshot>(new BoundedChannelOptions(16)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_gate)
        {
            channel.Writer.TryWrite(_current);
            _subscribers.Add(channel);
        }
        return new StateSubscription(channel.Reader, () =>
        {
            lock (_gate)
            {
                _subscribers.Remove(channel);
            }
            channel.Writer.TryComplete();
        });
    }
}
