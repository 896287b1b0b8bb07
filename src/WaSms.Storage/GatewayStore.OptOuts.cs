using Microsoft.Data.Sqlite;
using WaSms.WhatsApp.Store;

namespace WaSms.Storage;

/// <summary>What an inbound message does to the opt-out list: puts <paramref name="Phone"/> on it, or (<paramref name="OptIn"/>) takes it off.</summary>
/// <param name="Phone"><c>+E164</c>, or the sender's JID when the number is not known.</param>
/// <param name="Keyword">The keyword the text matched, as configured.</param>
public sealed record OptOutChange(string Phone, string Keyword, bool OptIn);

/// <summary>Decides, from an inbound message alone, whether it changes the opt-out list (the gateway's keyword rules).</summary>
public interface IOptOutClassifier
{
    OptOutChange? Classify(InboundMessage message);
}

/// <summary>What an inbound message did to the opt-out list.</summary>
public enum OptOutEffect
{
    None = 0,
    OptedOut = 1,
    OptedIn = 2,
}

/// <summary>One entry of the opt-out list.</summary>
public sealed record OptOutEntry(string Phone, string Keyword, string? MessageId, DateTimeOffset At);

/// <summary>
/// The opt-out list (migration 0008): changed by an inbound message in the transaction that stores it
/// (<see cref="CommitInboundAsync(string, WhatsApp.Store.SignalChanges, InboundMessage, OptOutChange?, CancellationToken)"/>)
/// or removed by hand; every change is kept in <c>optout_changes</c>.
/// </summary>
public sealed partial class GatewayStore
{
    /// <summary>The list, oldest first.</summary>
    public Task<IReadOnlyList<OptOutEntry>> GetOptOutsAsync(CancellationToken cancellationToken) =>
        InTransactionAsync<IReadOnlyList<OptOutEntry>>(async (c, tx) =>
        {
            await using var select = Command(c, tx, "SELECT phone, keyword, message_id, at FROM optouts ORDER BY at, phone");
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            var list = new List<OptOutEntry>();
            while (await reader.ReadAsync(cancellationToken))
            {
                list.Add(new OptOutEntry(reader.GetString(0), reader.GetString(1), NullableString(reader, 2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))));
            }
            return list;
        }, cancellationToken);

    /// <summary>True when <paramref name="phone"/> is on the list.</summary>
    public Task<bool> IsOptedOutAsync(string phone, CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, tx) =>
        {
            await using var select = Command(c, tx, "SELECT 1 FROM optouts WHERE phone = $phone", ("$phone", phone));
            return await select.ExecuteScalarAsync(cancellationToken) is not null;
        }, cancellationToken);

    /// <summary>Takes <paramref name="phone"/> off the list by hand (<c>wasms-gateway optouts remove</c>).</summary>
    /// <returns>False when it was not on the list.</returns>
    public Task<bool> RemoveOptOutAsync(string phone, CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, tx) =>
        {
            if (!await DeleteOptOutAsync(c, tx, phone, cancellationToken))
            {
                return false;
            }
            await LogOptOutChangeAsync(c, tx, phone, "removed", null, null, cancellationToken);
            return true;
        }, cancellationToken);

    /// <summary>True when the inbound message <paramref name="messageId"/> put its sender on the list (the tunnel's <c>optOut</c> flag).</summary>
    public async Task<bool> CausedOptOutAsync(string messageId, CancellationToken cancellationToken) =>
        await GetOptOutEffectAsync(messageId, cancellationToken) == OptOutEffect.OptedOut;

    /// <summary>What the inbound message <paramref name="messageId"/> did to the list (the tunnel's <c>optOut</c> and <c>optIn</c> flags).</summary>
    public Task<OptOutEffect> GetOptOutEffectAsync(string messageId, CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, tx) =>
        {
            await using var select = Command(c, tx, "SELECT change FROM optout_changes WHERE message_id = $id", ("$id", messageId));
            return await select.ExecuteScalarAsync(cancellationToken) switch
            {
                "out" => OptOutEffect.OptedOut,
                "in" => OptOutEffect.OptedIn,
                _ => OptOutEffect.None,
            };
        }, cancellationToken);

    /// <summary>
    /// <see cref="GetOptOutEffectAsync"/> for many messages in one query (the tunnel maps a page of the stream at
    /// a time); a message that changed nothing is absent.
    /// </summary>
    public Task<Dictionary<string, OptOutEffect>> GetOptOutEffectsAsync(IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        return InTransactionAsync(async (c, tx) =>
        {
            var effects = new Dictionary<string, OptOutEffect>(StringComparer.Ordinal);
            if (messageIds.Count == 0)
            {
                return effects;
            }
            // One JSON array parameter, whatever the page size (no SQL built from values).
            await using var select = Command(c, tx,
                "SELECT message_id, change FROM optout_changes WHERE message_id IN (SELECT value FROM json_each($ids))",
                ("$ids", JsonArrayOf(messageIds)));
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                effects[reader.GetString(0)] = reader.GetString(1) switch
                {
                    "out" => OptOutEffect.OptedOut,
                    "in" => OptOutEffect.OptedIn,
                    _ => OptOutEffect.None,
                };
            }
            return effects;
        }, cancellationToken);
    }

    private static string JsonArrayOf(IEnumerable<string> values)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var value in values)
            {
                writer.WriteStringValue(value);
            }
            writer.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private async Task ApplyOptOutAsync(SqliteConnection c, SqliteTransaction tx, OptOutChange change, string messageId, CancellationToken cancellationToken)
    {
        if (change.OptIn)
        {
            if (await DeleteOptOutAsync(c, tx, change.Phone, cancellationToken))
            {
                await LogOptOutChangeAsync(c, tx, change.Phone, "in", change.Keyword, messageId, cancellationToken);
            }
            return;
        }
        // A second STOP changes nothing: the first one stays the reason, and only it carries the flag.
        await using var insert = Command(c, tx,
            "INSERT INTO optouts (phone, keyword, message_id, at) VALUES ($phone, $keyword, $id, $now) ON CONFLICT (phone) DO NOTHING",
            ("$phone", change.Phone), ("$keyword", change.Keyword), ("$id", messageId), ("$now", Now));
        if (await insert.ExecuteNonQueryAsync(cancellationToken) > 0)
        {
            await LogOptOutChangeAsync(c, tx, change.Phone, "out", change.Keyword, messageId, cancellationToken);
        }
    }

    private static async Task<bool> DeleteOptOutAsync(SqliteConnection c, SqliteTransaction tx, string phone, CancellationToken cancellationToken)
    {
        await using var delete = Command(c, tx, "DELETE FROM optouts WHERE phone = $phone", ("$phone", phone));
        return await delete.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    private async Task LogOptOutChangeAsync(SqliteConnection c, SqliteTransaction tx, string phone, string change, string? keyword, string? messageId, CancellationToken cancellationToken)
    {
        await using var insert = Command(c, tx,
            "INSERT INTO optout_changes (phone, change, keyword, message_id, at) VALUES ($phone, $change, $keyword, $id, $now)");
        await ExecuteAsync(insert, cancellationToken, ("$phone", phone), ("$change", change), ("$keyword", keyword), ("$id", messageId), ("$now", Now));
    }
}
