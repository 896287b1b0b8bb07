using Microsoft.Data.Sqlite;
using WaSms.WhatsApp.Store;

namespace WaSms.Storage;

/// <summary>
/// Messages that failed to decrypt and wait for the sender's resend (migration 0007): remembered at the
/// first failure, stored as undecryptable by the sweep once no resend came in time, so the stream gets
/// every message even when the sender never answers the retry receipt.
/// </summary>
public sealed partial class GatewayStore
{
    /// <summary>Remembers <paramref name="message"/> (its first failure; a later one changes nothing).</summary>
    public Task RememberUndecryptedAsync(InboundMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return InTransactionAsync(async (c, tx) =>
        {
            await using var insert = Command(c, tx,
                "INSERT INTO undecrypted_messages (chat, sender, message_id, sender_alt, sent_at, from_me, push_name, error, first_failed_at) " +
                "VALUES ($chat, $sender, $id, $alt, $sent, $fromMe, $push, $error, $now) ON CONFLICT DO NOTHING");
            Bind(insert, ("$chat", message.Chat), ("$sender", message.Sender), ("$id", message.Id), ("$alt", message.SenderAlt),
                ("$sent", message.Timestamp.ToUnixTimeMilliseconds()), ("$fromMe", message.FromMe ? 1L : 0L), ("$push", message.PushName),
                ("$error", message.Error), ("$now", Now));
            return await insert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }

    /// <summary>
    /// Stores every remembered message whose first failure is before <paramref name="failedBefore"/> as
    /// <c>undecryptable</c> with <paramref name="reason"/> (and the decrypt error), each with its stream
    /// event, unless it (or its PN/LID twin) was stored meanwhile; forgets them; one transaction.
    /// </summary>
    /// <returns>The messages stored now.</returns>
    public Task<IReadOnlyList<InboundMessage>> StoreUndecryptedAsync(DateTimeOffset failedBefore, string reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return InTransactionAsync<IReadOnlyList<InboundMessage>>(async (c, tx) =>
        {
            var cutoff = failedBefore.ToUnixTimeMilliseconds();
            var overdue = new List<InboundMessage>();
            await using (var select = Command(c, tx,
                "SELECT message_id, chat, sender, sender_alt, sent_at, from_me, push_name, error FROM undecrypted_messages " +
                "WHERE first_failed_at < $cutoff ORDER BY first_failed_at", ("$cutoff", cutoff)))
            await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    var error = NullableString(reader, 7);
                    overdue.Add(new InboundMessage(reader.GetString(0), reader.GetString(1), reader.GetString(2), NullableString(reader, 3),
                        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)), InboundMessage.Undecryptable, null, reader.GetInt64(5) != 0,
                        NullableString(reader, 6), null, error is null ? reason : $"{reason} ({error})"));
                }
            }
            var stored = new List<InboundMessage>();
            foreach (var message in overdue)
            {
                if (await InsertInboundAsync(c, tx, message, cancellationToken))
                {
                    stored.Add(message);
                }
            }
            await using var delete = Command(c, tx, "DELETE FROM undecrypted_messages WHERE first_failed_at < $cutoff", ("$cutoff", cutoff));
            await delete.ExecuteNonQueryAsync(cancellationToken);
            return stored;
        }, cancellationToken);
    }

    /// <summary>
    /// Inserts <paramref name="message"/> with its stream event unless it or its PN/LID twin is stored; false when it was.
    /// A stored undecryptable placeholder (the sweep's, the 5th failure's, an <c>unavailable</c> one) is the
    /// exception: a message with content replaces it in place and gets a new stream event, so the API sees
    /// the late resend (docs/whatsapp.md §10.2, docs/protocol/messaging.md §10a). Once replaced it is a duplicate like any other.
    /// </summary>
    private async Task<bool> InsertInboundAsync(SqliteConnection c, SqliteTransaction tx, InboundMessage message, CancellationToken cancellationToken)
    {
        if (await FindEquivalentInboundAsync(c, tx, message.Chat, message.Sender, message.Id, cancellationToken) is { } stored)
        {
            if (!stored.Placeholder || message.Type == InboundMessage.Undecryptable)
            {
                return false;
            }
            await using (var update = Command(c, tx,
                "UPDATE inbound_messages SET type = $type, text = $text, content = $content, error = $error, " +
                "sender_alt = coalesce($alt, sender_alt), push_name = coalesce($push, push_name) WHERE id = $row"))
            {
                Bind(update, ("$type", message.Type), ("$text", message.Text), ("$content", message.Content), ("$error", message.Error),
                    ("$alt", message.SenderAlt), ("$push", message.PushName), ("$row", stored.RowId));
                await update.ExecuteNonQueryAsync(cancellationToken);
            }
            await AppendInboundEventAsync(c, tx, stored.RowId, cancellationToken);
            return true;
        }
        var insert = Prepared(c, tx,
            "INSERT INTO inbound_messages (chat, sender, message_id, sender_alt, sent_at, type, text, from_me, push_name, content, error, received_at) " +
            "VALUES ($chat, $sender, $id, $alt, $sent, $type, $text, $fromMe, $push, $content, $error, $now) " +
            "ON CONFLICT (chat, sender, message_id) DO NOTHING RETURNING id");
        Bind(insert, ("$chat", message.Chat), ("$sender", message.Sender), ("$id", message.Id), ("$alt", message.SenderAlt),
            ("$sent", message.Timestamp.ToUnixTimeMilliseconds()), ("$type", message.Type), ("$text", message.Text),
            ("$fromMe", message.FromMe ? 1L : 0L), ("$push", message.PushName), ("$content", message.Content), ("$error", message.Error), ("$now", Now));
        if (await insert.ExecuteScalarAsync(cancellationToken) is not long rowId)
        {
            return false;
        }
        await AppendInboundEventAsync(c, tx, rowId, cancellationToken);
        return true;
    }

    private async Task AppendInboundEventAsync(SqliteConnection c, SqliteTransaction tx, long rowId, CancellationToken cancellationToken)
    {
        var evt = Prepared(c, tx, "INSERT INTO message_events (inbound_id, at) VALUES ($row, $now)");
        await ExecuteAsync(evt, cancellationToken, ("$row", rowId), ("$now", Now));
    }

    /// <summary>
    /// True when (chat, sender, id) is stored with its content (not as an undecryptable placeholder, which a
    /// resend may still replace) under any PN/LID form of the chat and of the sender that the <c>whatsapp</c>
    /// scope's LID map knows: the server may deliver the same message once addressed by phone number and
    /// once by LID (docs/protocol/messaging.md §1), and it is one message.
    /// </summary>
    private async Task<bool> HasEquivalentInboundAsync(SqliteConnection c, SqliteTransaction? tx, string chat, string sender, string id, CancellationToken cancellationToken) =>
        await FindEquivalentInboundAsync(c, tx, chat, sender, id, cancellationToken) is { Placeholder: false };

    /// <summary>The stored row of (chat, sender, id) under any PN/LID form, and whether it is an undecryptable placeholder.</summary>
    private async Task<(long RowId, bool Placeholder)?> FindEquivalentInboundAsync(SqliteConnection c, SqliteTransaction? tx, string chat, string sender, string id, CancellationToken cancellationToken)
    {
        var command = Prepared(c, tx, FindEquivalentInboundSql);
        Bind(command, ("$chat", chat), ("$sender", sender), ("$id", id), ("$scope", SecretScopes.WhatsApp), ("$undecryptable", InboundMessage.Undecryptable));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt64(0), reader.GetInt64(1) != 0) : null;
    }

    private static readonly string FindEquivalentInboundSql =
        $"SELECT id, type = $undecryptable FROM inbound_messages WHERE message_id = $id AND chat IN ({FormsOf("$chat")}) AND sender IN ({FormsOf("$sender")}) LIMIT 1";

    /// <summary>
    /// The JID in <paramref name="parameter"/> and its other form (LID ↔ phone number) when the LID map knows it.
    /// The user part is cut from the JID rather than the server appended to the column
    /// (<c>lid_user || '@lid' = $chat</c>), so the look-up uses the map's (scope, lid_user) and (scope, pn_user)
    /// keys instead of scanning the scope's rows, four times per message; the columns are STRICT TEXT, so it is the same match.
    /// </summary>
    private static string FormsOf(string parameter) =>
        $"SELECT {parameter} UNION ALL " +
        $"SELECT pn_user || '@s.whatsapp.net' FROM lid_map WHERE scope = $scope AND substr({parameter}, -4) = '@lid' " +
        $"AND lid_user = substr({parameter}, 1, length({parameter}) - 4) UNION ALL " +
        $"SELECT lid_user || '@lid' FROM lid_map WHERE scope = $scope AND substr({parameter}, -15) = '@s.whatsapp.net' " +
        $"AND pn_user = substr({parameter}, 1, length({parameter}) - 15)";
}
