namespace WaSms.Storage;

/// <summary>What the daily clean-up deleted (Gateway/Messaging/MessageRetentionService.cs).</summary>
public sealed record RetentionResult(int Events, int InboundMessages, int SendJobs);

/// <summary>
/// Retention of the message stream: received messages, finished sends and their stream events are
/// kept for a while after every consumer acknowledged them, then deleted (with <c>secure_delete</c>, so
/// their text leaves the file). An event no consumer has acknowledged is never deleted — the tunnel may
/// be behind — and neither is a send still pending.
/// </summary>
public sealed partial class GatewayStore
{
    /// <summary>
    /// Deletes, in one transaction, the stream events older than <paramref name="before"/> that every
    /// consumer has acknowledged (none when no consumer has acknowledged anything), then the received
    /// messages and finished send jobs older than that which no event refers to any more.
    /// </summary>
    public Task<RetentionResult> DeleteAcknowledgedBeforeAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, tx) =>
        {
            var cutoff = before.ToUnixTimeMilliseconds();
            await using var events = Command(c, tx,
                "DELETE FROM message_events WHERE at < $cutoff AND cursor <= (SELECT coalesce(min(cursor), 0) FROM event_consumers)", ("$cutoff", cutoff));
            var deletedEvents = await events.ExecuteNonQueryAsync(cancellationToken);
            await using var inbound = Command(c, tx,
                "DELETE FROM inbound_messages WHERE received_at < $cutoff " +
                "AND id NOT IN (SELECT inbound_id FROM message_events WHERE inbound_id IS NOT NULL)", ("$cutoff", cutoff));
            var deletedInbound = await inbound.ExecuteNonQueryAsync(cancellationToken);
            await using var jobs = Command(c, tx,
                "DELETE FROM send_jobs WHERE status <> 0 AND created_at < $cutoff " +
                "AND id NOT IN (SELECT job_id FROM message_events WHERE job_id IS NOT NULL)", ("$cutoff", cutoff));
            var deletedJobs = await jobs.ExecuteNonQueryAsync(cancellationToken);
            return new RetentionResult(deletedEvents, deletedInbound, deletedJobs);
        }, cancellationToken);
}
