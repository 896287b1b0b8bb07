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
    /// <paramref name="message"/> and its stream event, in one transaction. A message with content
    /// replaces a stored undecryptable placeholder of it (GatewayStore.Undecrypted.cs).
    /// </summary>
    /// <returns>False when the message was a duplicate (the changes are saved all the same).</returns>
    public Task<bool> CommitInboundAsync(string scope, SignalChanges changes, InboundMessage message, CancellationToken cancellationToken) =>
        CommitInboundAsync(scope, changes, message, null, cancellationToken);

    /// <summary>
    /// As the overload without <paramref name="optOut"/>, and a new message also applies <paramref name="optOut"/>
    /// to the opt-out list in the same transaction (GatewayStore.OptOuts.cs), so a crash keeps both or neither.
    /// </summary>
    public Task<bool> CommitInboundAsync(string scope, SignalChanges changes, InboundMessage message, OptOutChange? optOut, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(message);
        return InTransactionAsync(async (c, tx) =>
        {
            await ApplySignalChangesAsync(c, tx, scope, changes, cancellationToken);
            if (!await InsertInboundAsync(c, tx, message, cancellationToken)) // GatewayStore.Undecrypted.cs
            {
                return false;
            }
            if (optOut is not null)
            {
                await ApplyOptOutAsync(c, tx, optOut, message.Id, cancellationToken);
            }
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// Saves <paramref name="changes"/> and those of <paramref name="messages"/> not already stored (a
    /// duplicate in the list too), each with its stream event in list order and its opt-out change
    /// (<paramref name="optOuts"/>, by index, may be null), in one transaction: one WAL commit for a
    /// whole batch of an offline backlog instead of one per message.
    /// </summary>
    /// <returns>For each message, false when it was a duplicate.</returns>
    public Task<IReadOnlyList<bool>> CommitInboundBatchAsync(string scope, SignalChanges changes, IReadOnlyList<InboundMessage> messages,
        IReadOnlyList<OptOutChange?>? optOuts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(messages);
        return InTransactionAsync<IReadOnlyList<bool>>(async (c, tx) =>
        {
            await ApplySignalChangesAsync(c, tx, scope, changes, cancellationToken);
            var stored = new bool[messages.Count];
            for (var i = 0; i < messages.Count; i++)
            {
                stored[i] = await InsertInboundAsync(c, tx, messages[i], cancellationToken); // GatewayStore.Undecrypted.cs
                if (stored[i] && optOuts?[i] is { } optOut)
                {
                    await ApplyOptOutAsync(c, tx, optOut, messages[i].Id, cancellationToken);
                }
            }
            return stored;
        }, cancellationToken);
    }

    /// <summary>
    /// True when (chat, sender, id) is stored with its content, the chat and sender in either PN or LID form (GatewayStore.Undecrypted.cs).
    /// One SELECT outside a transaction (autocommit: it reads one snapshot by itself), so the check every
    /// message of a backlog makes before it is decrypted costs no BEGIN IMMEDIATE and COMMIT of its own.
    /// </summary>
    public async Task<bool> HasInboundAsync(string chat, string sender, string id, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await HasEquivalentInboundAsync(_connection, null, chat, sender, id, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

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
