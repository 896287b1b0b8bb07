namespace WaSms.Storage;

/// <summary>What the send history says for pacing: sends in the last hour and day, the last send, the last send to one chat.</summary>
public sealed record SendHistory(int SinceHour, int SinceDay, DateTimeOffset? LastSent, DateTimeOffset? LastSentToChat);

/// <summary>
/// The send history the acceptable-use rules count from: the jobs' <c>sent_at</c>, so caps and gaps hold
/// across restarts (nothing is counted in memory only).
/// </summary>
public sealed partial class GatewayStore
{
    /// <summary>Sends after <paramref name="hourStart"/> and after <paramref name="dayStart"/>, the last send, and the last send to <paramref name="chat"/>.</summary>
    public Task<SendHistory> GetSendHistoryAsync(string chat, DateTimeOffset hourStart, DateTimeOffset dayStart, CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, tx) =>
        {
            await using var select = Command(c, tx,
                "SELECT (SELECT count(*) FROM send_jobs WHERE sent_at > $hour), (SELECT count(*) FROM send_jobs WHERE sent_at > $day), " +
                "(SELECT max(sent_at) FROM send_jobs WHERE sent_at IS NOT NULL), (SELECT max(sent_at) FROM send_jobs WHERE chat = $chat AND sent_at IS NOT NULL)",
                ("$hour", hourStart.ToUnixTimeMilliseconds()), ("$day", dayStart.ToUnixTimeMilliseconds()), ("$chat", chat));
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return new SendHistory((int)reader.GetInt64(0), (int)reader.GetInt64(1), NullableTime(reader, 2), NullableTime(reader, 3));
        }, cancellationToken);

    /// <summary>The time of the send <paramref name="skip"/> places after the oldest one after <paramref name="since"/> (0: the oldest), or null.</summary>
    public Task<DateTimeOffset?> GetSentAtAsync(DateTimeOffset since, int skip, CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, tx) =>
        {
            await using var select = Command(c, tx, "SELECT sent_at FROM send_jobs WHERE sent_at > $since ORDER BY sent_at LIMIT 1 OFFSET $skip",
                ("$since", since.ToUnixTimeMilliseconds()), ("$skip", (long)skip));
            return await select.ExecuteScalarAsync(cancellationToken) is long at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : (DateTimeOffset?)null;
        }, cancellationToken);
}
