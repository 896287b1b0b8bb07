using Microsoft.Data.Sqlite;
using WaSms.WhatsApp.Store;

namespace WaSms.Storage;

/// <summary>
/// The message stream (migration 0006) as the API reads it: events by cursor, each consumer's
/// acknowledged cursor, and the counters of a local day.
/// </summary>
public sealed partial class GatewayStore
{
    /// <summary>Up to <paramref name="max"/> events after <paramref name="afterCursor"/>, in cursor order.</summary>
    public Task<IReadOnlyList<MessageEvent>> ReadEventsAsync(long afterCursor, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterCursor);
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        return InTransactionAsync<IReadOnlyList<MessageEvent>>(async (c, tx) =>
        {
            await using var select = Command(c, tx,
                "SELECT e.cursor, e.status, e.at, e.reason, " +
                "i.message_id, i.chat, i.sender, i.sender_alt, i.sent_at, i.type, i.text, i.from_me, i.push_name, i.content, i.error, " +
                "j.message_id, j.caller_id, j.chat " +
                "FROM message_events e LEFT JOIN inbound_messages i ON i.id = e.inbound_id LEFT JOIN send_jobs j ON j.id = e.job_id " +
                "WHERE e.cursor > $after ORDER BY e.cursor LIMIT $max",
                ("$after", afterCursor), ("$max", max));
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            var events = new List<MessageEvent>();
            while (await reader.ReadAsync(cancellationToken))
            {
                events.Add(ReadEvent(reader));
            }
            return events;
        }, cancellationToken);
    }

    /// <summary>Records that <paramref name="consumer"/> has handled the stream up to <paramref name="cursor"/>; never moves back.</summary>
    public Task AckEventsAsync(string consumer, long cursor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(consumer);
        ArgumentOutOfRangeException.ThrowIfNegative(cursor);
        return InTransactionAsync(async (c, tx) =>
        {
            await using var upsert = Command(c, tx,
                "INSERT INTO event_consumers (consumer, cursor, updated_at) VALUES ($consumer, $cursor, $now) " +
                "ON CONFLICT (consumer) DO UPDATE SET cursor = max(cursor, excluded.cursor), updated_at = excluded.updated_at");
            return await ExecuteAsync(upsert, cancellationToken, ("$consumer", consumer), ("$cursor", cursor), ("$now", Now));
        }, cancellationToken);
    }

    /// <summary>The cursor <paramref name="consumer"/> acknowledged last, 0 when none.</summary>
    public Task<long> GetAckedCursorAsync(string consumer, CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, tx) =>
        {
            await using var select = Command(c, tx, "SELECT cursor FROM event_consumers WHERE consumer = $consumer", ("$consumer", consumer));
            return await select.ExecuteScalarAsync(cancellationToken) as long? ?? 0;
        }, cancellationToken);

    /// <summary>
    /// The counters of local day <paramref name="day"/> (the store clock's time zone): inbound messages
    /// stored that day (not copies of our own sends), sends that reached <c>sent</c> that day, sends
    /// failed that day, and sends pending now.
    /// </summary>
    public Task<DailyCounters> GetDailyCountersAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var (from, to) = (StartOfLocalDay(day), StartOfLocalDay(day.AddDays(1)));
        return InTransactionAsync(async (c, tx) =>
        {
            await using var select = Command(c, tx,
                "SELECT (SELECT count(*) FROM inbound_messages WHERE received_at >= $from AND received_at < $to AND from_me = 0), " +
                "(SELECT count(*) FROM send_jobs WHERE sent_at >= $from AND sent_at < $to), " +
                "(SELECT count(*) FROM send_jobs WHERE failed_at >= $from AND failed_at < $to), " +
                "(SELECT count(*) FROM send_jobs WHERE status = 0)",
                ("$from", from), ("$to", to));
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return new DailyCounters(day, reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3));
        }, cancellationToken);
    }

    private long StartOfLocalDay(DateOnly day)
    {
        var midnight = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(midnight, _time.LocalTimeZone.GetUtcOffset(midnight)).ToUnixTimeMilliseconds();
    }

    /// <summary>An event from a row of <see cref="ReadEventsAsync"/>'s query.</summary>
    private static MessageEvent ReadEvent(SqliteDataReader r)
    {
        var cursor = r.GetInt64(0);
        if (r.IsDBNull(1))
        {
            var message = new InboundMessage(r.GetString(4), r.GetString(5), r.GetString(6), NullableString(r, 7),
                DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(8)), r.GetString(9), NullableString(r, 10), r.GetInt64(11) != 0,
                NullableString(r, 12), r.IsDBNull(13) ? null : (byte[])r.GetValue(13), NullableString(r, 14));
            return new MessageEvent(cursor, MessageEventKind.Message, message, null);
        }
        var change = new StatusChange(r.GetString(15), NullableString(r, 16), r.GetString(17), (MessageStatus)r.GetInt64(1),
            DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)), NullableString(r, 3));
        return new MessageEvent(cursor, MessageEventKind.Status, null, change);
    }
}
