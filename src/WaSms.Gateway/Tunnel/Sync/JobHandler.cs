using WaSms.Gateway.Messaging;
using WaSms.Gateway.Tunnel.Protocol;
using WaSms.Storage;
using WaSms.WhatsApp.Store;

namespace WaSms.Gateway.Tunnel.Sync;

/// <summary>
/// The platform's <c>send</c> frames (docs/tunnel.md §6): stored once per job id with the seq in the same
/// transaction, answered with a <c>job</c> frame; a repeat is answered with the job's current state and
/// never sent twice; a seq gap is <c>out-of-order</c>.
/// </summary>
public sealed class JobHandler(GatewayStore store, ObservedMessageStore messages, IWhatsAppSessionStore session, IOutboxWaker outbox, TimeProvider time)
{
    /// <param name="lastSeq">The highest seq processed (with every lower one).</param>
    /// <exception cref="ProtocolException"><c>out-of-order</c>: a gap, or a replayed seq of no known job.</exception>
    public async Task<JobFrame> HandleAsync(SendFrame send, long lastSeq, CancellationToken cancellationToken)
    {
        var seq = send.Seq!.Value;
        var jobId = send.JobId!;
        if (seq > lastSeq + 1)
        {
            throw new ProtocolException(TunnelErrors.OutOfOrder, $"send.seq: {seq} follows {lastSeq} (a gap; resend in order)");
        }
        var (chat, refusal) = await CheckAsync(send, cancellationToken);
        OutboundMessage job;
        if (seq <= lastSeq)
        {
            job = await store.GetOutboundByCallerIdAsync(jobId, cancellationToken)
                  ?? throw new ProtocolException(TunnelErrors.OutOfOrder, $"send.seq: {seq} was already processed, and not as job {FrameCodec.Printable(jobId)}");
        }
        else
        {
            (job, var created) = await store.CommitPlatformJobAsync(seq, jobId, chat, send.Text!, refusal, cancellationToken);
            if (created)
            {
                messages.Pulse();
                if (refusal is null)
                {
                    outbox.WakeOutbox();
                }
            }
        }
        if (job.To != chat || job.Text != send.Text)
        {
            return new JobFrame { JobId = jobId, Seq = seq, State = "failed", Reason = "job-id-reused", At = FrameValidator.FormatTime(time.GetUtcNow()) };
        }
        return ToFrame(job, seq);
    }

    /// <summary>The job's current state as a <c>job</c> frame: <c>accepted</c> while pending, then as the stream says.</summary>
    public static JobFrame ToFrame(OutboundMessage job, long seq) => new()
    {
        JobId = job.CallerId,
        Seq = seq,
        State = job.Status == MessageStatus.Pending ? "accepted" : StatusName(job.Status),
        MessageId = job.MessageId,
        Reason = job.Status == MessageStatus.Failed ? job.FailureReason : null,
        At = FrameValidator.FormatTime(job.FailedAt ?? job.ReadAt ?? job.DeliveredAt ?? job.SentAt ?? job.CreatedAt),
        SentAt = Time(job.SentAt),
        DeliveredAt = Time(job.DeliveredAt),
        ReadAt = Time(job.ReadAt),
        FailedAt = Time(job.FailedAt),
    };

    public static string StatusName(MessageStatus status) => status switch
    {
        MessageStatus.Sent => "sent",
        MessageStatus.Delivered => "delivered",
        MessageStatus.Read => "read",
        MessageStatus.Failed => "failed",
        _ => "accepted",
    };

    /// <summary>The chat to send to, and the reason to refuse the job at once (null: accept it).</summary>
    private async Task<(string Chat, string? Refusal)> CheckAsync(SendFrame send, CancellationToken cancellationToken)
    {
        string chat;
        try
        {
            chat = Recipient.ToChatJid(send.To!);
        }
        catch (ArgumentException)
        {
            return (send.To!, "bad-recipient");
        }
        if (send.Kind != "text")
        {
            return (chat, "unsupported");
        }
        if (string.IsNullOrWhiteSpace(send.Text) || send.Text.Length > FrameValidator.MaxTextLength)
        {
            return (chat, "bad-text");
        }
        return (chat, await session.HasSessionAsync(cancellationToken) ? null : "not-linked");
    }

    private static string? Time(DateTimeOffset? at) => at is { } t ? FrameValidator.FormatTime(t) : null;
}
