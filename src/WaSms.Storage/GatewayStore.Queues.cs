namespace WaSms.Storage;

/// <summary>An item waiting in a store-and-forward queue.</summary>
public sealed record QueueItem(long Id, string Queue, string DedupKey, byte[] Payload, DateTimeOffset EnqueuedAt, int Attempts);

public sealed partial class GatewayStore
{
    /// <summary>
    /// Adds an item unless one with the same <paramref name="dedupKey"/> was ever queued (even if
    /// already acknowledged), so a replay after a crash or reconnect is not delivered twice.
    /// </summary>
    /// <returns>True when the item was new.</returns>
    public Task<bool> EnqueueAsync(string queue, string dedupKey, byte[] payload, CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, tx) =>
        {
            await using var command = Command(c, tx,
                "INSERT INTO queue_items (queue, dedup_key, payload, enqueued_at) VALUES ($queue, $key, $payload, $now) " +
                "ON CONFLICT (queue, dedup_key) DO NOTHING",
                ("$queue", queue), ("$key", dedupKey), ("$payload", payload), ("$now", Now));
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    /// <summary>The oldest unacknowledged items of a queue, counting this as a delivery attempt.</summary>
    public Task<IReadOnlyList<QueueItem>> TakeAsync(string queue, int max, CancellationToken cancellationToken) =>
        InTransactionAsync<IReadOnlyList<QueueItem>>(async (c, tx) =>
        {
            var items = new List<QueueItem>();
            await using (var select = Command(c, tx,
                "SELECT id, dedup_key, payload, enqueued_at, attempts FROM queue_items " +
                "WHERE queue = $queue AND acked_at IS NULL ORDER BY id LIMIT $max",
                ("$queue", queue), ("$max", max)))
            {
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    items.Add(new QueueItem(reader.GetInt64(0), queue, reader.GetString(1), (byte[])reader.GetValue(2),
                        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), reader.GetInt32(4) + 1));
                }
            }
            await using var bump = Command(c, tx, "UPDATE queue_items SET attempts = attempts + 1 WHERE id = $id");
            var id = bump.Parameters.Add("$id", Microsoft.Data.Sqlite.SqliteType.Integer);
            foreach (var item in items)
            {
                id.Value = item.Id;
                await bump.ExecuteNonQueryAsync(cancellationToken);
            }
            return items;
        }, cancellationToken);

    /// <summary>Marks items delivered, in one transaction.</summary>
    public Task AckAsync(IEnumerable<long> ids, CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, tx) =>
        {
            await using var command = Command(c, tx, "UPDATE queue_items SET acked_at = $now WHERE id = $id AND acked_at IS NULL");
            var id = command.Parameters.Add("$id", Microsoft.Data.Sqlite.SqliteType.Integer);
            command.Parameters.AddWithValue("$now", Now);
            var count = 0;
            foreach (var value in ids)
            {
                id.Value = value;
                count += await command.ExecuteNonQueryAsync(cancellationToken);
            }
            return count;
        }, cancellationToken);

    /// <summary>Unacknowledged items per queue.</summary>
    public Task<IReadOnlyDictionary<string, long>> GetQueueDepthsAsync(CancellationToken cancellationToken) =>
        InTransactionAsync<IReadOnlyDictionary<string, long>>(async (c, tx) =>
        {
            await using var command = Command(c, tx,
                "SELECT queue, count(*) FROM queue_items WHERE acked_at IS NULL GROUP BY queue ORDER BY queue");
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var result = new Dictionary<string, long>(StringComparer.Ordinal);
            while (await reader.ReadAsync(cancellationToken))
            {
                result[reader.GetString(0)] = reader.GetInt64(1);
            }
            return result;
        }, cancellationToken);
}
