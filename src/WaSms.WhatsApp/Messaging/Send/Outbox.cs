using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Socket;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Messaging.Send;

/// <summary>
/// The send loop of one connection: once logged in and past the offline backlog it sends the pending
/// jobs of <see cref="IMessageStore.GetPendingOutboundAsync"/> oldest first, one at a time (whatsmeow
/// also sends one message at a time), and again whenever <see cref="Wake"/> is called. Each job ends
/// <c>sent</c> or <c>failed</c> (status stored, <see cref="MessageStatusChanged"/> raised) or stays
/// pending: without a server ack, or when a query failed, its chat is held (<see cref="ChatHolds"/>, a
/// full-jitter exponential backoff on the client's clock) so later messages of that chat do not overtake
/// it, then tried again on the same connection under the same id (receivers drop a duplicate by id); the
/// next connection starts afresh. A lost connection ends the loop; the job being sent stays pending. Before each attempt the <see cref="ISendGate"/> may make the job (its chat,
/// or every job) wait until a time, when the loop looks again, or fail it (e.g. <c>opted-out</c>).
/// </summary>
internal sealed class Outbox
{
    /// <summary>Jobs read from the store at a time.</summary>
    public const int BatchSize = 64;

    /// <summary>How far past held chats' jobs one drain looks (bounded so a huge backlog of one stuck chat stays cheap).</summary>
    public const int MaxLookAhead = 4096;

    /// <summary>Encrypted and written this many times without a server ack: the job fails.</summary>
    public const int MaxAttempts = 10;

    private readonly MessageSender _sender;
    private readonly IMessageStore _messages;
    private readonly Action<WaEvent> _raise;
    private readonly ILogger _logger;
    private readonly ISendGate _gate;
    private readonly TimeProvider _time;
    private readonly ChatHolds _holds;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public Outbox(MessageSender sender, IMessageStore messages, Action<WaEvent> raise, ILogger logger, ISendGate gate, TimeProvider time, SendOptions options)
    {
        _gate = gate;
        _sender = sender;
        _messages = messages;
        _raise = raise;
        _logger = logger;
        _time = time;
        _holds = new ChatHolds(time, options.HeldChatRetryFirst, options.HeldChatRetryMax);
    }

    /// <summary>A job was enqueued: look at the store again.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>Sends until the connection ends (<paramref name="cancellationToken"/> or a socket failure).</summary>
    public async Task RunAsync(IStanzaChannel channel, OwnDevice own, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var next = await DrainAsync(channel, own, cancellationToken);
                await WaitForWakeAsync(next, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WaSocketException)
        {
            // The connection ended; whatever was being sent stays pending.
        }
    }

    /// <summary>Until <paramref name="next"/> (when a gate's wait ends), or until woken; without <paramref name="next"/> only woken.</summary>
    private async Task WaitForWakeAsync(DateTimeOffset? next, CancellationToken cancellationToken)
    {
        var delay = next - _time.GetUtcNow();
        if (delay is null)
        {
            await _wake.Reader.ReadAsync(cancellationToken);
            return;
        }

        try
        {
            // WaitToRead takes nothing, so a wake that comes after the timeout is not lost.
            await _wake.Reader.WaitToReadAsync(cancellationToken).AsTask().WaitAsync(delay.Value > TimeSpan.Zero ? delay.Value : TimeSpan.Zero, _time, cancellationToken);
        }
        catch (TimeoutException)
        {
        }

        _wake.Reader.TryRead(out _);
    }

    /// <returns>The earliest time a waiting job may be asked about again, or null when none waits.</returns>
    private async Task<DateTimeOffset?> DrainAsync(IStanzaChannel channel, OwnDevice own, CancellationToken cancellationToken)
    {
        var limit = BatchSize;
        var waiting = new HashSet<string>(StringComparer.Ordinal);
        DateTimeOffset? next = null;
        while (true)
        {
            var jobs = await _messages.GetPendingOutboundAsync(limit, cancellationToken);
            var progressed = false;
            foreach (var job in jobs)
            {
                if (_holds.IsHeld(job.To) || waiting.Contains(job.To))
                {
                    continue;
                }

                if (await CheckGateAsync(job, cancellationToken) is not { } decision)
                {
                    continue;
                }

                if (decision.Verdict is SendVerdict.WaitChat or SendVerdict.WaitAll)
                {
                    next = next is { } earlier && earlier < decision.Until ? earlier : decision.Until;
                    if (decision.Verdict == SendVerdict.WaitAll)
                    {
                        return next;
                    }

                    waiting.Add(job.To); // its later jobs wait behind it
                    continue;
                }

                progressed |= await SendOneAsync(channel, own, job, decision, cancellationToken);
            }

            // Jobs of held chats stay at the head of the queue: look past them, or one stuck chat
            // would keep every other chat waiting until the next connection.
            var held = jobs.Count(j => _holds.IsHeld(j.To) || waiting.Contains(j.To));
            if (progressed)
            {
                limit = BatchSize + held;
            }
            else if (held == jobs.Count && jobs.Count == limit && limit < MaxLookAhead)
            {
                limit += BatchSize;
            }
            else
            {
                return next;
            }
        }
    }

    /// <summary>The gate's decision, or null when the gate failed (a store error): the chat is then held like after a failed query.</summary>
    private async Task<SendDecision?> CheckGateAsync(OutboundMessage job, CancellationToken cancellationToken)
    {
        try
        {
            return await _gate.CheckAsync(job, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogWarning("Message {Id} stays pending; its chat is tried again in {Delay}: the send gate failed: {Reason}", job.MessageId, Hold(job.To, cancellationToken), ex.Message);
            return null;
        }
    }

    /// <returns>True when the job reached a final state; false when its chat is held.</returns>
    private async Task<bool> SendOneAsync(IStanzaChannel channel, OwnDevice own, OutboundMessage job, SendDecision decision, CancellationToken cancellationToken)
    {
        SendOutcome outcome;
        if (decision.Verdict == SendVerdict.Fail)
        {
            outcome = new SendOutcome(SendOutcomeKind.Failed, _sender.Now, decision.Reason);
        }
        else if (job.Attempts >= MaxAttempts)
        {
            // Written this many times without a server ack: stop, so every job ends in one final state.
            outcome = new SendOutcome(SendOutcomeKind.Failed, _sender.Now, $"no-server-ack after {job.Attempts} attempts");
        }
        else
        {
            try
            {
                outcome = await _sender.SendAsync(channel, own, job, cancellationToken);
            }
            catch (Exception ex) when (ex is not (OperationCanceledException or WaSocketException))
            {
                // A query the server refused, a store error, a bug: the job stays pending and its chat
                // waits a backoff, but the other chats and this loop go on.
                _logger.LogWarning("Message {Id} stays pending; its chat is tried again in {Delay}: {Reason}", job.MessageId, Hold(job.To, cancellationToken), ex.Message);
                return false;
            }
        }

        if (outcome.Kind == SendOutcomeKind.NoAck)
        {
            _logger.LogWarning("No server ack for message {Id}; it is sent again in {Delay}.", job.MessageId, Hold(job.To, cancellationToken));
            return false;
        }

        _holds.Release(job.To);

        var status = outcome.Kind == SendOutcomeKind.Sent ? MessageStatus.Sent : MessageStatus.Failed;
        if (await _messages.UpdateOutboundStatusAsync(job.MessageId, status, outcome.At, outcome.Reason, cancellationToken))
        {
            _raise(new MessageStatusChanged(new StatusChange(job.MessageId, job.CallerId, job.To, status, outcome.At, outcome.Reason)));
            if (status == MessageStatus.Sent)
            {
                await _gate.OnSentAsync(job, outcome.At, cancellationToken);
            }
        }

        return true;
    }

    /// <summary>Holds <paramref name="chat"/> and wakes the loop when the hold ends (while the connection lasts).</summary>
    private TimeSpan Hold(string chat, CancellationToken cancellationToken)
    {
        var delay = _holds.Hold(chat);
        _ = WakeAfterAsync(delay, cancellationToken);
        return delay;
    }

    private async Task WakeAfterAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            // One tick past the hold: IsHeld counts its last instant as held.
            await Task.Delay(delay + TimeSpan.FromTicks(1), _time, cancellationToken);
            Wake();
        }
        catch (OperationCanceledException)
        {
            // The connection ended; the next one drains from the start.
        }
    }
}
