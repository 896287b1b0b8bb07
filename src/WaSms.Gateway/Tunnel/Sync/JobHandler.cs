using WaSms.Gateway.Messaging;
using WaSms.Gateway.Tunnel.Identity;
using WaSms.Gateway.Tunnel.Protocol;
using WaSms.Storage;
using WaSms.WhatsApp.Store;

namespace WaSms.Gateway.Tunnel.Sync;

/// <summary>
/// The platform's <c>send</c> frames (docs/tunnel.md §6): stored once per job id with the seq in the same
/// transaction, answered with a <c>job</c> frame; a repeat is answered with the job's current state and
/// never sent twice; a seq gap is <c>out-of-order</c>. Jobs are kept under <see cref="PlatformJobIds"/>, with their
/// priority and an expiry <paramref name="jobTtl"/> after they arrive (<see cref="JobExpiry"/> fails them then).
/// </summary>
public sealed class JobHandler(GatewayStore store, ObservedMessageStore messages, IWhatsAppSessionStore session, IOutboxWaker outbox, DeviceIdentity identity,
    TimeProvider time, TimeSpan jobTtl)
{
    /// <param name="lastSeq">The highest seq processed (with every lower one).</param>
    /// <exception cref="ProtocolException"><c>out-of-order</c>: a gap, or a replayed seq of no known job.</exception>
    public async Task<JobFrame> HandleAsync(SendFrame send, long lastSeq, CancellationToken cancellationToken)
    {
        var seq = send.Seq!.Value;
        var jobId = send.JobId!;
        var gatewayId = (await identity.GetEnrollmentAsync(cancellationToken))?.GatewayId
                        ?? throw new InvalidOperationException("a send frame arrived without an enrollment");
        var callerId = PlatformJobIds.CallerId(gatewayId, jobId);
        if (seq > lastSeq + 1)
        {
            throw new ProtocolException(TunnelErrors.OutOfOrder, $"send.seq: {seq} follows {lastSeq} (a gap; resend in order)");
        }
        var (chat, refusal) = await CheckAsync(send, cancellationToken);
        OutboundMessage job;
        if (seq <= lastSeq)
        {
            job = await store.GetOutboundByCallerIdAsync(callerId, cancellationToken)
                  ?? throw new ProtocolException(TunnelErrors.OutOfOrder, $"send.seq: {seq} was already processed, and not as job {FrameCodec.Printable(jobId)}");
        }
        else
        {
            (job, var created) = await store.CommitPlatformJobAsync(seq, callerId, chat, send.Text!, refusal, send.Priority ?? OutboundMessage.NormalPriority,
                time.GetUtcNow() + jobTtl, cancellationToken);
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
        return ToFrame(job, jobId, seq);
    }

    /// <summary>The job's current state as a <c>job</c> frame: <c>accepted</c> while pending, then as the stream says.</summary>
    public static JobFrame ToFrame(OutboundMessage job, string jobId, long seq) => new()
    {
        JobId = jobId,
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
