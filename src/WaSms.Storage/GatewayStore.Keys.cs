namespace WaSms.Storage;

/// <summary>A numbered key pair of a secret scope (a Signal one-time prekey).</summary>
/// <param name="Id">Its id, unique in the scope.</param>
/// <param name="PrivateKey">The private key bytes.</param>
/// <param name="PublicKey">The public key bytes, kept so reading a batch back costs no curve math.</param>
/// <param name="Uploaded">True once the server confirmed it has the public half.</param>
public sealed record NumberedKey(uint Id, byte[] PrivateKey, byte[] PublicKey, bool Uploaded);

public sealed partial class GatewayStore
{
    /// <summary>
    /// The first <paramref name="count"/> keys of <paramref name="scope"/> not yet uploaded, making and
    /// saving new ones with <paramref name="newKeyPair"/> in the same transaction when there are
    /// fewer. Ids count up from 1 and wrap to 1 after <paramref name="maxId"/>.
    /// </summary>
    public Task<IReadOnlyList<NumberedKey>> GetOrCreateUnuploadedKeysAsync(
        string scope, int count, uint maxId, Func<(byte[] PrivateKey, byte[] PublicKey)> newKeyPair, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(newKeyPair);
        return InTransactionAsync<IReadOnlyList<NumberedKey>>(async (c, tx) =>
        {
            var keys = new List<NumberedKey>(count);
            await using (var select = Command(c, tx,
                "SELECT id, private_key, public_key FROM numbered_keys WHERE scope = $scope AND uploaded = 0 ORDER BY created_at, id LIMIT $count"))
            {
                select.Parameters.AddWithValue("$scope", scope);
                select.Parameters.AddWithValue("$count", count);
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    keys.Add(new NumberedKey((uint)reader.GetInt64(0), (byte[])reader.GetValue(1), (byte[])reader.GetValue(2), false));
                }
            }
            if (keys.Count == count)
            {
                return keys;
            }

            long nextId;
            await using (var counter = Command(c, tx, "SELECT next_id FROM numbered_key_counters WHERE scope = $scope"))
            {
                counter.Parameters.AddWithValue("$scope", scope);
                nextId = await counter.ExecuteScalarAsync(cancellationToken) is long stored ? stored : 1;
            }
            // After a wrap an old id may still be there; the new key replaces it (16 million keys later).
            await using (var insert = Command(c, tx,
                "INSERT OR REPLACE INTO numbered_keys (scope, id, private_key, public_key, uploaded, created_at) VALUES ($scope, $id, $private, $public, 0, $now)"))
            {
                var id = insert.Parameters.Add("$id", Microsoft.Data.Sqlite.SqliteType.Integer);
                var privateKey = insert.Parameters.Add("$private", Microsoft.Data.Sqlite.SqliteType.Blob);
                var publicKey = insert.Parameters.Add("$public", Microsoft.Data.Sqlite.SqliteType.Blob);
                insert.Parameters.AddWithValue("$scope", scope);
                insert.Parameters.AddWithValue("$now", Now);
                while (keys.Count < count)
                {
                    if (nextId < 1 || nextId > maxId)
                    {
                        nextId = 1;
                    }
                    var pair = newKeyPair();
                    id.Value = nextId;
                    privateKey.Value = pair.PrivateKey;
                    publicKey.Value = pair.PublicKey;
                    await insert.ExecuteNonQueryAsync(cancellationToken);
                    keys.Add(new NumberedKey((uint)nextId, pair.PrivateKey, pair.PublicKey, false));
                    nextId++;
                }
            }
            await using (var update = Command(c, tx,
                "INSERT INTO numbered_key_counters (scope, next_id) VALUES ($scope, $next) ON CONFLICT (scope) DO UPDATE SET next_id = excluded.next_id"))
            {
                update.Parameters.AddWithValue("$scope", scope);
                update.Parameters.AddWithValue("$next", nextId);
                await update.ExecuteNonQueryAsync(cancellationToken);
            }
            return keys;
        }, cancellationToken);
    }

    /// <summary>Records that the server confirmed the keys <paramref name="ids"/>.</summary>
    public Task MarkKeysUploadedAsync(string scope, IReadOnlyCollection<uint> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return InTransactionAsync(async (c, tx) =>
        {
            await using var update = Command(c, tx, "UPDATE numbered_keys SET uploaded = 1 WHERE scope = $scope AND id = $id");
            var id = update.Parameters.Add("$id", Microsoft.Data.Sqlite.SqliteType.Integer);
            update.Parameters.AddWithValue("$scope", scope);
            foreach (var each in ids)
            {
                id.Value = (long)each;
                await update.ExecuteNonQueryAsync(cancellationToken);
            }
            return ids.Count;
        }, cancellationToken);
    }

    /// <summary>How many keys of <paramref name="scope"/> the server confirmed.</summary>
    public Task<int> CountUploadedKeysAsync(string scope, CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, tx) =>
        {
            await using var command = Command(c, tx, "SELECT COUNT(*) FROM numbered_keys WHERE scope = $scope AND uploaded = 1");
            command.Parameters.AddWithValue("$scope", scope);
            return (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);

    /// <summary>Key <paramref name="id"/> of <paramref name="scope"/>, or null when there is none.</summary>
    public Task<NumberedKey?> GetKeyAsync(string scope, uint id, CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, tx) =>
        {
            await using var command = Command(c, tx, "SELECT private_key, public_key, uploaded FROM numbered_keys WHERE scope = $scope AND id = $id");
            command.Parameters.AddWithValue("$scope", scope);
            command.Parameters.AddWithValue("$id", (long)id);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken)
                ? new NumberedKey(id, (byte[])reader.GetValue(0), (byte[])reader.GetValue(1), reader.GetInt64(2) != 0)
                : null;
        }, cancellationToken);

    /// <summary>Forgets key <paramref name="id"/> (a one-time prekey is used once).</summary>
    public Task RemoveKeyAsync(string scope, uint id, CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, tx) =>
        {
            await using var command = Command(c, tx, "DELETE FROM numbered_keys WHERE scope = $scope AND id = $id");
            command.Parameters.AddWithValue("$scope", scope);
            command.Parameters.AddWithValue("$id", (long)id);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
}
