namespace WaSms.WhatsApp.Store;

/// <summary>The forward-only rule of <see cref="MessageStatus"/>, shared by every <see cref="IMessageStore"/>.</summary>
public static class StatusRules
{
    /// <summary>
    /// True when a job at <paramref name="current"/> may move to <paramref name="next"/>: Pending →
    /// Sent → Delivered → Read (a state may be skipped: a receipt can overtake the server ack), or
    /// Pending → Failed. Nothing leaves Read or Failed.
    /// </summary>
    public static bool CanMove(MessageStatus current, MessageStatus next) => (current, next) switch
    {
        (MessageStatus.Pending, MessageStatus.Failed) => true,
        (_, MessageStatus.Failed) => false,
        (MessageStatus.Failed, _) => false,
        _ => next > current,
    };

    /// <summary>
    /// <paramref name="job"/> moved to <paramref name="status"/> at <paramref name="at"/>; the states it
    /// skipped get the same time (a delivery before the ack means it was sent by then).
    /// </summary>
    public static OutboundMessage Move(OutboundMessage job, MessageStatus status, DateTimeOffset at, string? reason)
    {
        ArgumentNullException.ThrowIfNull(job);
        return status == MessageStatus.Failed
            ? job with { Status = status, FailedAt = at, FailureReason = reason }
            : job with
            {
                Status = status,
                SentAt = job.SentAt ?? at,
                DeliveredAt = status >= MessageStatus.Delivered ? job.DeliveredAt ?? at : null,
                ReadAt = status == MessageStatus.Read ? at : null,
            };
    }
}
