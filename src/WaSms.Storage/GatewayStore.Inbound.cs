using Microsoft.Data.Sqlite;
using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;

namespace WaSms.Storage;

/// <summary>
/// Inbound messages (migration 0006): each stored once by (chat, sender, id), together with the Signal
/// changes its decryption made and its stream event, in one transaction.
/// </summary>
public sealed partial class GatewayStore
{
    /// <summary>
    /// Saves <paramref name="changes"/> (of <paramref name="scope"/>) and, unless it is already stored,
    /// <paramref name="message"/> and its stream event, in one transaction.
    /// </summary>
    /// <returns>False when the message was a duplicate (the changes are saved all the same).</returns>
    public Task<bool> CommitInboundAsync(string scope, SignalChanges changes, InboundMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(message);
        return InTransactionAsync(async (c, tx) =>
        {
            await ApplySignalChangesAsync(c, tx, scope, changes, cancellationToken);
            return await InsertInboundAsync(c, tx, message, cancellationToken);
        }, cancellationToken);
    }

    /// <summary>
    /// Saves <paramref name="changes"/> and those of <paramref name="messages"/> not already stored (a
    /// duplicate in the list too), each with its stream event in list order, in one transaction: one
    /// WAL commit for a whole batch of an offline backlog instead of one per message.
    /// </summary>
    /// <returns>For each message, false when it was a duplicate.</returns>
    public Task<IReadOnlyList<bool>> CommitInboundBatchAsync(string scope, SignalChanges changes, IReadOnlyList<InboundMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(messages);
        return InTransactionAsync<IReadOnlyList<bool>>(async (c, tx) =>
        {
            await ApplySignalChangesAsync(c, tx, scope, changes, cancellationToken);
            var stored = new bool[messages.Count];
            for (var i = 0; i < messages.Count; i++)
            {
                stored[i] = await InsertInboundAsync(c, tx, messages[i], cancellationToken);
            }
            return stored;
        }, cancellationToken);
    }

    /// <summary>Inserts <paramref name="message"/> and its stream event unless (chat, sender, id) is stored; false when it was.</summary>
    private async Task<bool> InsertInboundAsync(SqliteConnection c, SqliteTransaction tx, InboundMessage message, CancellationToken cancellationToken)
    {
        long? rowId;
        await using (var insert = Command(c, tx,
            "INSERT INTO inbound_messages (chat, sender, message_id, sender_alt, sent_at, type, text, from_me, push_name, content, error, received_at) " +
            "VALUES ($chat, $sender, $id, $alt, $sent, $type, $text, $fromMe, $push, $content, $error, $now) " +
            "ON CONFLICT (chat, sender, message_id) DO NOTHING RETURNING id"))
        {
            Bind(insert, ("$chat", message.Chat), ("$sender", message.Sender), ("$id", message.Id), ("$alt", message.SenderAlt),
                ("$sent", message.Timestamp.ToUnixTimeMilliseconds()), ("$type", message.Type), ("$text", message.Text),
                ("$fromMe", message.FromMe ? 1L : 0L), ("$push", message.PushName), ("$content", message.Content), ("$error", message.Error), ("$now", Now));
            rowId = await insert.ExecuteScalarAsync(cancellationToken) as long?;
        }
        if (rowId is null)
        {
            return false;
        }
        await using var evt = Command(c, tx, "INSERT INTO message_events (inbound_id, at) VALUES ($row, $now)");
        await ExecuteAsync(evt, cancellationToken, ("$row", rowId), ("$now", Now));
        return true;
    }

    /// <summary>True when (chat, sender, id) is stored.</summary>
    public Task<bool> HasInboundAsync(string chat, string sender, string id, CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, tx) =>
        {
            await using var command = Command(c, tx, "SELECT 1 FROM inbound_messages WHERE chat = $chat AND sender = $sender AND message_id = $id",
                ("$chat", chat), ("$sender", sender), ("$id", id));
            return await command.ExecuteScalarAsync(cancellationToken) is not null;
        }, cancellationToken);

    /// <summary>How long a failed decrypt is remembered: the sender's retries come within minutes, never days later.</summary>
    public static readonly TimeSpan DecryptFailureMemory = TimeSpan.FromDays(7);

    /// <summary>
    /// Counts one more failed decrypt of (<paramref name="senderDevice"/>, <paramref name="id"/>); returns the
    /// count so far. Counts older than <see cref="DecryptFailureMemory"/> are dropped on the way, so the
    /// table stays small on a board that runs for years.
    /// </summary>
    public Task<int> CountDecryptFailureAsync(string senderDevice, string id, CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, tx) =>
        {
            await using (var prune = Command(c, tx, "DELETE FROM decrypt_failures WHERE last_at < $cutoff"))
            {
                await ExecuteAsync(prune, cancellationToken, ("$cutoff", Now - (long)DecryptFailureMemory.TotalMilliseconds));
            }
            await using var command = Command(c, tx,
                "INSERT INTO decrypt_failures (sender_device, message_id, count, last_at) VALUES ($device, $id, 1, $now) " +
                "ON CONFLICT (sender_device, message_id) DO UPDATE SET count = count + 1, last_at = excluded.last_at RETURNING count",
                ("$device", senderDevice), ("$id", id), ("$now", Now));
            return (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);

    /// <summary>Binds <paramref name="parameters"/> by name; a null value is SQL NULL.</summary>
    private static void Bind(SqliteCommand command, params (string Name, object? Value)[] parameters)
    {
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
    }
}
