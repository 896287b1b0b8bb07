namespace WaSms.Storage;

public sealed partial class GatewayStore
{
    public Task<string?> GetSettingAsync(string key, CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, tx) =>
        {
            await using var command = Command(c, tx, "SELECT value FROM settings WHERE key = $key", ("$key", key));
            return (string?)await command.ExecuteScalarAsync(cancellationToken);
        }, cancellationToken);

    public Task SetSettingAsync(string key, string value, CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, tx) =>
        {
            await using var command = Command(c, tx,
                "INSERT INTO settings (key, value, updated_at) VALUES ($key, $value, $now) " +
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                ("$key", key), ("$value", value), ("$now", Now));
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    /// <summary>Removes the setting; false when there was none.</summary>
    public Task<bool> DeleteSettingAsync(string key, CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, tx) =>
        {
            await using var command = Command(c, tx, "DELETE FROM settings WHERE key = $key", ("$key", key));
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    /// <summary>Returns the setting, first storing <paramref name="create"/>'s value when there is none.</summary>
    public Task<string> GetOrCreateSettingAsync(string key, Func<string> create, CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, tx) =>
        {
            await using var insert = Command(c, tx,
                "INSERT INTO settings (key, value, updated_at) VALUES ($key, $value, $now) ON CONFLICT (key) DO NOTHING",
                ("$key", key), ("$value", create()), ("$now", Now));
            await insert.ExecuteNonQueryAsync(cancellationToken);
            await using var select = Command(c, tx, "SELECT value FROM settings WHERE key = $key", ("$key", key));
            return (string)(await select.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);
}
