namespace WaSms.Storage;

/// <summary>Well-known secret scopes.</summary>
public static class SecretScopes
{
    /// <summary>The WhatsApp session: noise key, identity key, signed prekey, registration id, adv secret, JID/LID, account.</summary>
    public const string WhatsApp = "whatsapp";

    /// <summary>The WaSMS platform enrollment (token, gateway identity).</summary>
    public const string Platform = "platform";
}

public sealed partial class GatewayStore
{
    /// <summary>All secrets of one scope, by name.</summary>
    public Task<IReadOnlyDictionary<string, byte[]>> GetSecretsAsync(string scope, CancellationToken cancellationToken) =>
        InTransactionAsync<IReadOnlyDictionary<string, byte[]>>(async (c, tx) =>
        {
            await using var command = Command(c, tx, "SELECT name, value FROM secrets WHERE scope = $scope");
            command.Parameters.AddWithValue("$scope", scope);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            while (await reader.ReadAsync(cancellationToken))
            {
                result[reader.GetString(0)] = (byte[])reader.GetValue(1);
            }
            return result;
        }, cancellationToken);

    /// <summary>
    /// Replaces the whole scope with <paramref name="values"/> in one transaction, so a power cut
    /// leaves the complete old set or the complete new one.
    /// </summary>
    public Task ReplaceSecretsAsync(string scope, IReadOnlyDictionary<string, byte[]> values, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(values);
        return InTransactionAsync(async (c, tx) =>
        {
            await using (var delete = Command(c, tx, "DELETE FROM secrets WHERE scope = $scope"))
            {
                delete.Parameters.AddWithValue("$scope", scope);
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }
            await using var insert = Command(c, tx,
                "INSERT INTO secrets (scope, name, value, updated_at) VALUES ($scope, $name, $value, $now)");
            var name = insert.Parameters.Add("$name", Microsoft.Data.Sqlite.SqliteType.Text);
            var value = insert.Parameters.Add("$value", Microsoft.Data.Sqlite.SqliteType.Blob);
            insert.Parameters.AddWithValue("$scope", scope);
            insert.Parameters.AddWithValue("$now", Now);
            foreach (var (key, bytes) in values)
            {
                name.Value = key;
                value.Value = bytes;
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
            return values.Count;
        }, cancellationToken);
    }
}
