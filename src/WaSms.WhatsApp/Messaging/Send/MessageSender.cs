using System.Globalization;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Messaging.Send;

/// <summary>How one attempt at a send job ended.</summary>
internal enum SendOutcomeKind
{
    /// <summary>The server acked it: <c>sent</c>.</summary>
    Sent,

    /// <summary>It cannot be sent (reason given): <c>failed</c>.</summary>
    Failed,

    /// <summary>Written, but no ack within the deadline: stays pending for the next connection.</summary>
    NoAck,
}

/// <summary>The end of one attempt: the kind, the server's time for <c>sent</c>, the reason for <c>failed</c>.</summary>
internal sealed record SendOutcome(SendOutcomeKind Kind, DateTimeOffset At, string? Reason);

/// <summary>A send that can never succeed as asked, with the reason the job fails with.</summary>
internal sealed class SendRefusedException(string reason) : Exception($"The send was refused: {reason}.")
{
    public string Reason { get; } = reason;
}

/// <summary>
/// One attempt at a send job: build the stanza (1:1 or group), commit every Signal change its encryption
/// made together with the attempt (<see cref="IMessageStore.CommitSendAttemptAsync"/>) <b>before</b> the
/// stanza is written — a stanza whose ratchet state is not saved is never sent — then wait for the server's
/// ack (docs/protocol/messaging.md §5). The queries (usync, prekeys, group metadata) run first with no
/// lock; load, encrypt, commit and write then happen under <see cref="SendContext.SignalLock"/>, which is
/// therefore never held across a round trip to the server.
/// </summary>
internal sealed class MessageSender
{
    private readonly SendContext _context;
    private readonly IMessageStore _messages;
    private readonly SendOptions _options;
    private readonly TimeProvider _time;

    /// <summary>The send side's clock, for outcomes decided without a send.</summary>
    public DateTimeOffset Now => _time.GetUtcNow();

    public MessageSender(SendContext context, IMessageStore messages, SendOptions options, TimeProvider time)
    {
        _context = context;
        _messages = messages;
        _options = options;
        _time = time;
    }

    /// <exception cref="WaProtocolException">A query failed in a way a later attempt may not (the job stays pending).</exception>
    public async Task<SendOutcome> SendAsync(IStanzaChannel channel, OwnDevice own, OutboundMessage job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        Func<CancellationToken, Task<PreparedSend>> build;
        try
        {
            build = await PlanAsync(channel, own, job, cancellationToken);
        }
        catch (SendRefusedException ex)
        {
            return new SendOutcome(SendOutcomeKind.Failed, _time.GetUtcNow(), ex.Reason);
        }

        PreparedSend prepared;
        Task<Node?> ackWait;
        await _context.SignalLock.WaitAsync(cancellationToken);
        try
        {
            prepared = await build(cancellationToken);
            await _messages.CommitSendAttemptAsync(prepared.Changes, job.MessageId, cancellationToken);
            ackWait = await channel.WriteMessageAsync(prepared.Stanza, _options.ServerAckDeadline, cancellationToken);
        }
        catch (SendJobClosedException ex)
        {
            // Failed (expired) while it was being prepared: its session step was not kept and nothing was written.
            return new SendOutcome(SendOutcomeKind.Failed, _time.GetUtcNow(), ex.Message);
        }
        finally
        {
            _context.SignalLock.Release();
        }

        var ack = await ackWait;
        if (ack is null)
        {
            return new SendOutcome(SendOutcomeKind.NoAck, _time.GetUtcNow(), null);
        }

        if (ack.Attr("error") is { Length: > 0 } error && error != "0")
        {
            return new SendOutcome(SendOutcomeKind.Failed, _time.GetUtcNow(), "server error " + error);
        }

        if (ack.Attr("phash") is { Length: > 0 } serverHash && serverHash != prepared.Phash)
        {
            // Our device list missed devices (or has gone ones): ask again next time (whatsmeow).
            if (prepared.Chat.Server == JidServer.Group)
            {
                _context.Groups.Invalidate(prepared.Chat);
            }

            _context.Devices.Cache.Invalidate(prepared.Chat);
        }

        prepared.OnAcked?.Invoke();
        return new SendOutcome(SendOutcomeKind.Sent, ServerTime(ack) ?? _time.GetUtcNow(), null);
    }

    /// <summary>
    /// The queries for <paramref name="job"/> (no lock held), and the step that encrypts it and returns the
    /// stanza with the Signal changes to commit first (to run under <see cref="SendContext.SignalLock"/>).
    /// </summary>
    /// <exception cref="SendRefusedException">A bad recipient or text, a recipient not on WhatsApp, a group we are not in.</exception>
    public async Task<Func<CancellationToken, Task<PreparedSend>>> PlanAsync(IStanzaChannel channel, OwnDevice own, OutboundMessage job, CancellationToken cancellationToken)
    {
        if (!Jid.TryParse(job.To, out var to) || to.User.Length == 0 || to.Server is not (JidServer.WhatsApp or JidServer.Lid or JidServer.Group))
        {
            throw new SendRefusedException("invalid-recipient");
        }

        if (job.Text.Length is 0 or > OutgoingMessage.MaxTextLength)
        {
            throw new SendRefusedException("invalid-text");
        }

        var message = OutgoingMessage.Text(job.Text);
        return to.Server == JidServer.Group
            ? await GroupMessageBuilder.PlanAsync(_context, channel, own, job.MessageId, to, message, cancellationToken)
            : await DirectMessageBuilder.PlanAsync(_context, channel, own, job.MessageId, to, message, cancellationToken)
                ?? throw new SendRefusedException("not-on-whatsapp");
    }

    private static DateTimeOffset? ServerTime(Node ack) =>
        long.TryParse(ack.Attr("t"), NumberStyles.None, CultureInfo.InvariantCulture, out var t) && t > 0
            ? DateTimeOffset.FromUnixTimeSeconds(t)
            : null;
}
