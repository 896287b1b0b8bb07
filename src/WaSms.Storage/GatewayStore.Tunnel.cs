using Microsoft.Data.Sqlite;
using WaSms.Core.Reset;
using WaSms.WhatsApp.Store;

namespace WaSms.Storage;

/// <summary>
/// The platform tunnel's rows (migration 0009, docs/tunnel.md §10): the processed seq stored in the
/// same transaction as the job or command result it stands for, so a kill -9 leaves both or neither.
/// </summary>
public sealed partial class GatewayStore
{
    /// <summary>The highest platform seq processed with every lower one; 0 when none.</summary>
    public Task<long> GetPlatformSeqAsync(CancellationToken cancellationToken) =>
        InTransactionAsync((c, tx) => ReadPlatformSeqAsync(c, tx, cancellationToken), cancellationToken);

    /// <summary>
    /// Records platform job <paramref name="jobId"/> (frame <paramref name="seq"/>) and the seq, in one
    /// transaction: a new Pending job, or with <paramref name="refusal"/> a job failed at once with that
    /// reason (kept, so a replay is answered the same). A job already stored under the id is returned
    /// unchanged (Created false).
    /// </summary>
    /// <param name="priority">1 (ahead of other chats) or 2 (normal).</param>
    /// <param name="expiresAt">When the job, not sent by then, fails <c>expired</c>.</param>
    public Task<(OutboundMessage Job, bool Created)> CommitPlatformJobAsync(long seq, string jobId, string chat, string text, string? refusal,
        int priority, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        return InTransactionAsync(async (c, tx) =>
        {
            await AdvancePlatformSeqAsync(c, tx, seq, cancellationToken);
            if (await FindJobAsync(c, tx, "caller_id", jobId, cancellationToken) is { } existing)
            {
                return (existing.Job, false);
            }
            if (refusal is null)
            {
                return (await EnqueueOutboundAsync(c, tx, jobId, chat, text, priority, expiresAt, cancellationToken), true);
            }
            var now = _time.GetUtcNow();
            var job = new OutboundMessage(OutgoingMessageId.New(), jobId, chat, text, MessageStatus.Failed, now, null, null, null, now, refusal, 0, priority);
            long rowId;
            await using (var insert = Command(c, tx,
                "INSERT INTO send_jobs (message_id, caller_id, chat, text, status, created_at, failed_at, failure_reason, priority) " +
                "VALUES ($id, $caller, $chat, $text, 4, $now, $now, $reason, $priority) RETURNING id"))
            {
                Bind(insert, ("$id", job.MessageId), ("$caller", jobId), ("$chat", chat), ("$text", text), ("$now", now.ToUnixTimeMilliseconds()), ("$reason", refusal),
                    ("$priority", (long)priority));
                rowId = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
            }
            await AppendStatusEventAsync(c, tx, rowId, job, now, cancellationToken);
            return (job, true);
        }, cancellationToken);
    }

    /// <summary>
    /// Records command <paramref name="commandId"/> (frame <paramref name="seq"/>) with its result frame's
    /// JSON, the seq, and optionally one setting the command changes or the reset it decided (recorded in
    /// <c>pending_reset</c>, so a crash after the answer still finishes it at the next start), in one transaction.
    /// </summary>
    public Task CommitPlatformCommandAsync(long seq, string commandId, string resultJson, (string Key, string Value)? setting, CancellationToken cancellationToken,
        ResetIntent? reset = null) =>
        InTransactionAsync(async (c, tx) =>
        {
            if (reset is not null)
            {
                await WritePendingResetAsync(c, tx, reset, cancellationToken);
            }
            await AdvancePlatformSeqAsync(c, tx, seq, cancellationToken);
            await using (var insert = Command(c, tx,
                "INSERT INTO tunnel_commands (seq, command_id, result, at) VALUES ($seq, $id, $result, $now) ON CONFLICT DO NOTHING",
                ("$seq", seq), ("$id", commandId), ("$result", resultJson), ("$now", Now)))
            {
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
            if (setting is var (key, value))
            {
                await using var set = Command(c, tx,
                    "INSERT INTO settings (key, value, updated_at) VALUES ($key, $value, $now) " +
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                    ("$key", key), ("$value", value), ("$now", Now));
                await set.ExecuteNonQueryAsync(cancellationToken);
            }
            return 0;
        }, cancellationToken);

    /// <summary>The stored result JSON of the command with <paramref name="seq"/> or <paramref name="commandId"/>, or null.</summary>
    public Task<string?> GetPlatformCommandResultAsync(long seq, string commandId, CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, tx) =>
        {
            await using var select = Command(c, tx, "SELECT result FROM tunnel_commands WHERE seq = $seq OR command_id = $id ORDER BY seq LIMIT 1",
                ("$seq", seq), ("$id", commandId));
            return (string?)await select.ExecuteScalarAsync(cancellationToken);
        }, cancellationToken);

    /// <summary>
    /// Stores a new enrollment (the whole <see cref="SecretScopes.Platform"/> scope) and starts the
    /// tunnel's progress and command history again, in one transaction: a new gateway id means the
    /// platform's seq starts from 1.
    /// </summary>
    public Task SaveEnrollmentAsync(IReadOnlyDictionary<string, byte[]> secrets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        return InTransactionAsync(async (c, tx) =>
        {
            await using (var clear = Command(c, tx, "DELETE FROM tunnel_progress; DELETE FROM tunnel_commands; DELETE FROM secrets WHERE scope = $scope",
                ("$scope", SecretScopes.Platform)))
            {
                await clear.ExecuteNonQueryAsync(cancellationToken);
            }
            foreach (var (name, value) in secrets)
            {
                await using var insert = Command(c, tx, "INSERT INTO secrets (scope, name, value, updated_at) VALUES ($scope, $name, $value, $now)",
                    ("$scope", SecretScopes.Platform), ("$name", name), ("$value", value), ("$now", Now));
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
            // The platform follows the stream from the start (welcome.ackedCursor 0): as a consumer from now on,
            // retention keeps every event until the platform acknowledges it (docs/tunnel.md §10).
            await using (var consumer = Command(c, tx,
                "INSERT INTO event_consumers (consumer, cursor, updated_at) VALUES ($consumer, 0, $now) " +
                "ON CONFLICT (consumer) DO UPDATE SET cursor = 0, updated_at = excluded.updated_at", ("$consumer", PlatformConsumer), ("$now", Now)))
            {
                await consumer.ExecuteNonQueryAsync(cancellationToken);
            }
            return 0;
        }, cancellationToken);
    }

    /// <summary>The stream consumer the tunnel acknowledges as (docs/tunnel.md §10).</summary>
    public const string PlatformConsumer = "platform";

    private static async Task<long> ReadPlatformSeqAsync(SqliteConnection c, SqliteTransaction tx, CancellationToken cancellationToken)
    {
        await using var select = Command(c, tx, "SELECT platform_seq FROM tunnel_progress WHERE id = 1");
        return await select.ExecuteScalarAsync(cancellationToken) is long seq ? seq : 0;
    }

    private async Task AdvancePlatformSeqAsync(SqliteConnection c, SqliteTransaction tx, long seq, CancellationToken cancellationToken)
    {
        await using var upsert = Command(c, tx,
            "INSERT INTO tunnel_progress (id, platform_seq, updated_at) VALUES (1, $seq, $now) " +
            "ON CONFLICT (id) DO UPDATE SET platform_seq = max(platform_seq, excluded.platform_seq), updated_at = excluded.updated_at",
            ("$seq", seq), ("$now", Now));
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }
}
