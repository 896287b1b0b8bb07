using Microsoft.Data.Sqlite;
using WaSms.WhatsApp.Store;

namespace WaSms.Storage;

/// <summary>
/// Send jobs (migration 0006): created once per caller id, moved only forward (<see cref="StatusRules"/>),
/// every state change appended to the stream in the same transaction; an encryption's Signal changes
/// are saved with the attempt count before the stanza is written.
/// </summary>
public sealed partial class GatewayStore
{
    /// <summary>The reason a relink gives the send jobs it fails (GatewayStore.FailPendingSendsAsync).</summary>
    public const string RelinkedReason = "relinked";

    /// <summary>The reason a job not sent by its <see cref="OutboundMessage.ExpiresAt"/> fails with (docs/tunnel.md §6).</summary>
    public const string ExpiredReason = "expired";

    private const string JobColumns =
        "message_id, caller_id, chat, text, status, created_at, sent_at, delivered_at, read_at, failed_at, failure_reason, attempts, priority, expires_at";

    /// <summary>A new Pending job with its stream event, or the job already created with <paramref name="callerId"/>, unchanged.</summary>
    public Task<OutboundMessage> EnqueueOutboundAsync(string? callerId, string to, string text, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(to);
        ArgumentNullException.ThrowIfNull(text);
        return InTransactionAsync((c, tx) => EnqueueOutboundAsync(c, tx, callerId, to, text, OutboundMessage.NormalPriority, null, cancellationToken), cancellationToken);
    }

    /// <summary><see cref="EnqueueOutboundAsync(string?, string, string, CancellationToken)"/> inside a caller's transaction.</summary>
    private async Task<OutboundMessage> EnqueueOutboundAsync(SqliteConnection c, SqliteTransaction tx, string? callerId, string to, string text,
        int priority, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        if (callerId is not null && await FindJobAsync(c, tx, "caller_id", callerId, cancellationToken) is { } existing)
        {
            return existing.Job;
        }
        var job = new OutboundMessage(OutgoingMessageId.New(), callerId, to, text, MessageStatus.Pending, _time.GetUtcNow(), null, null, null, null, null, 0,
            priority, expiresAt);
        long rowId;
        await using (var insert = Command(c, tx,
            "INSERT INTO send_jobs (message_id, caller_id, chat, text, status, created_at, priority, expires_at) " +
            "VALUES ($id, $caller, $chat, $text, 0, $now, $priority, $expires) RETURNING id"))
        {
            Bind(insert, ("$id", job.MessageId), ("$caller", callerId), ("$chat", to), ("$text", text), ("$now", job.CreatedAt.ToUnixTimeMilliseconds()),
                ("$priority", (long)priority), ("$expires", Millis(expiresAt)));
            rowId = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
        }
        await AppendStatusEventAsync(c, tx, rowId, job, job.CreatedAt, cancellationToken);
        return job;
    }

    /// <summary>The job sent under <paramref name="messageId"/>, or null.</summary>
    public Task<OutboundMessage?> GetOutboundAsync(string messageId, CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, tx) => (await FindJobAsync(c, tx, "message_id", messageId, cancellationToken))?.Job, cancellationToken);

    /// <summary>The job created with <paramref name="callerId"/>, or null.</summary>
    public Task<OutboundMessage?> GetOutboundByCallerIdAsync(string callerId, CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, tx) => (await FindJobAsync(c, tx, "caller_id", callerId, cancellationToken))?.Job, cancellationToken);

    /// <summary>
    /// Pending jobs in the order to send them: oldest first, except that a chat with a high-priority job
    /// queued goes ahead of the others — with its jobs queued before that one, so a chat's own order is
    /// kept (a job ranks as the most urgent pending job of its chat at or after it).
    /// </summary>
    public Task<IReadOnlyList<OutboundMessage>> GetPendingOutboundAsync(int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        return InTransactionAsync<IReadOnlyList<OutboundMessage>>(async (c, tx) =>
        {
            await using var select = Command(c, tx,
                $"SELECT j.id, {Prefixed("j.")} FROM send_jobs j WHERE j.status = 0 " +
                "ORDER BY (SELECT min(later.priority) FROM send_jobs later WHERE later.status = 0 AND later.chat = j.chat AND later.id >= j.id), j.id " +
                "LIMIT $max", ("$max", max));
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            var jobs = new List<OutboundMessage>();
            while (await reader.ReadAsync(cancellationToken))
            {
                jobs.Add(ReadJob(reader));
            }
            return jobs;
        }, cancellationToken);
    }

    /// <summary>
    /// Fails every pending job whose expiry is at or before <paramref name="now"/> with reason
    /// <see cref="ExpiredReason"/>, each with its stream event, in one transaction.
    /// </summary>
    /// <returns>How many it failed, and the earliest expiry still ahead (null: none).</returns>
    public Task<(int Expired, DateTimeOffset? Next)> ExpirePendingSendsAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, tx) =>
        {
            var at = now.ToUnixTimeMilliseconds();
            const string Due = "status = 0 AND expires_at IS NOT NULL AND expires_at <= $now";
            await using (var events = Command(c, tx,
                $"INSERT INTO message_events (job_id, status, at, reason) SELECT id, 4, $now, $reason FROM send_jobs WHERE {Due} ORDER BY id"))
            {
                await ExecuteAsync(events, cancellationToken, ("$now", at), ("$reason", ExpiredReason));
            }
            int expired;
            await using (var update = Command(c, tx, $"UPDATE send_jobs SET status = 4, failed_at = $now, failure_reason = $reason WHERE {Due}"))
            {
                expired = await ExecuteAsync(update, cancellationToken, ("$now", at), ("$reason", ExpiredReason));
            }
            await using var next = Command(c, tx, "SELECT min(expires_at) FROM send_jobs WHERE status = 0 AND expires_at IS NOT NULL");
            var nextAt = await next.ExecuteScalarAsync(cancellationToken) is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null;
            return (expired, nextAt);
        }, cancellationToken);

    /// <summary>How many jobs are still pending.</summary>
    public Task<int> CountPendingSendsAsync(CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, tx) =>
        {
            await using var count = Command(c, tx, "SELECT count(*) FROM send_jobs WHERE status = 0");
            return (int)(long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);

    /// <summary>Saves <paramref name="changes"/> and counts an attempt of job <paramref name="messageId"/>, in one transaction.</summary>
    /// <exception cref="InvalidOperationException">There is no such job (nothing is saved).</exception>
    /// <exception cref="SendJobClosedException">The job has failed meanwhile (nothing is saved; do not send it).</exception>
    public Task CommitSendAttemptAsync(string scope, SignalChanges changes, string messageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        return InTransactionAsync(async (c, tx) =>
        {
            // Not a failed job: the expiry may have failed it after the pacing gate let it go (JobExpiry).
            await using (var update = Command(c, tx, "UPDATE send_jobs SET attempts = attempts + 1 WHERE message_id = $id AND status <> 4", ("$id", messageId)))
            {
                if (await update.ExecuteNonQueryAsync(cancellationToken) == 0)
                {
                    await using var exists = Command(c, tx, "SELECT 1 FROM send_jobs WHERE message_id = $id", ("$id", messageId));
                    throw await exists.ExecuteScalarAsync(cancellationToken) is null
                        ? new InvalidOperationException($"No send job {messageId}")
                        : new SendJobClosedException(messageId);
                }
            }
            await ApplySignalChangesAsync(c, tx, scope, changes, cancellationToken);
            return 0;
        }, cancellationToken);
    }

    /// <summary>Moves job <paramref name="messageId"/> to <paramref name="status"/> if that is forward, with its stream event.</summary>
    /// <returns>True when the status changed.</returns>
    public Task<bool> UpdateOutboundStatusAsync(string messageId, MessageStatus status, DateTimeOffset at, string? reason, CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, tx) =>
        {
            if (await FindJobAsync(c, tx, "message_id", messageId, cancellationToken) is not { } found || !StatusRules.CanMove(found.Job.Status, status))
            {
                return false;
            }
            var moved = StatusRules.Move(found.Job, status, at, reason);
            await using (var update = Command(c, tx,
                "UPDATE send_jobs SET status = $status, sent_at = $sent, delivered_at = $delivered, read_at = $read, failed_at = $failed, failure_reason = $reason WHERE id = $row"))
            {
                Bind(update, ("$status", (long)moved.Status), ("$sent", Millis(moved.SentAt)), ("$delivered", Millis(moved.DeliveredAt)),
                    ("$read", Millis(moved.ReadAt)), ("$failed", Millis(moved.FailedAt)), ("$reason", moved.FailureReason), ("$row", found.RowId));
                await update.ExecuteNonQueryAsync(cancellationToken);
            }
            await AppendStatusEventAsync(c, tx, found.RowId, moved, at, cancellationToken);
            return true;
        }, cancellationToken);

    /// <summary>
    /// Fails every pending job with <paramref name="reason"/>, each with its stream event, in one
    /// transaction: what forgetting the WhatsApp session does to sends not yet made (a new link may be
    /// another number). Returns how many it failed.
    /// </summary>
    public Task<int> FailPendingSendsAsync(string reason, CancellationToken cancellationToken) =>
        InTransactionAsync((c, tx) => FailPendingSendsAsync(c, tx, Now, reason, cancellationToken), cancellationToken);

    private static async Task<int> FailPendingSendsAsync(SqliteConnection c, SqliteTransaction tx, long now, string reason, CancellationToken cancellationToken)
    {
        await using (var events = Command(c, tx,
            "INSERT INTO message_events (job_id, status, at, reason) SELECT id, 4, $now, $reason FROM send_jobs WHERE status = 0 ORDER BY id"))
        {
            await ExecuteAsync(events, cancellationToken, ("$now", now), ("$reason", reason));
        }
        await using var update = Command(c, tx, "UPDATE send_jobs SET status = 4, failed_at = $now, failure_reason = $reason WHERE status = 0");
        return await ExecuteAsync(update, cancellationToken, ("$now", now), ("$reason", reason));
    }

    private static async Task<(long RowId, OutboundMessage Job)?> FindJobAsync(SqliteConnection c, SqliteTransaction tx, string column, string value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        await using var select = Command(c, tx, $"SELECT id, {JobColumns} FROM send_jobs WHERE {column} = $value", ("$value", value));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt64(0), ReadJob(reader)) : null;
    }

    /// <summary>A job from a row of <c>SELECT id, JobColumns</c>.</summary>
    private static OutboundMessage ReadJob(SqliteDataReader r) => new(
        r.GetString(1), NullableString(r, 2), r.GetString(3), r.GetString(4), (MessageStatus)r.GetInt64(5),
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6)), NullableTime(r, 7), NullableTime(r, 8), NullableTime(r, 9), NullableTime(r, 10),
        NullableString(r, 11), (int)r.GetInt64(12), (int)r.GetInt64(13), NullableTime(r, 14));

    private static string Prefixed(string alias) => string.Join(", ", JobColumns.Split(", ").Select(column => alias + column));

    private static async Task AppendStatusEventAsync(SqliteConnection c, SqliteTransaction tx, long jobRow, OutboundMessage job, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var insert = Command(c, tx, "INSERT INTO message_events (job_id, status, at, reason) VALUES ($row, $status, $at, $reason)");
        await ExecuteAsync(insert, cancellationToken, ("$row", jobRow), ("$status", (long)job.Status), ("$at", at.ToUnixTimeMilliseconds()),
            ("$reason", job.Status == MessageStatus.Failed ? job.FailureReason : null));
    }

    private static long? Millis(DateTimeOffset? at) => at?.ToUnixTimeMilliseconds();

    private static string? NullableString(SqliteDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    private static DateTimeOffset? NullableTime(SqliteDataReader r, int ordinal) =>
        r.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(ordinal));
}
