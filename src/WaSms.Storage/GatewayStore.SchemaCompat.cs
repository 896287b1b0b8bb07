using Microsoft.Data.Sqlite;

namespace WaSms.Storage;

/// <summary>
/// The store's compatibility marker (docs/updates.md §7): one row saying which schema version the
/// store is at and the oldest version a firmware must know to use it, written in the same
/// transaction as each migration. It lives in the database, not in the migration files, because the
/// firmware that reads it after a rollback is the older one, which does not have the newer files.
/// The table is the store's own bookkeeping, made here and not by a numbered migration, so that
/// every firmware that reads it also creates it; a factory reset keeps it (GatewayStore.Wipe.cs).
/// </summary>
public sealed partial class GatewayStore
{
    private const string SchemaCompatTable = "schema_compat";

    /// <summary>
    /// The readable-by the store records for <paramref name="version"/>, or null when it records none
    /// or records it for another version (a marker that does not match user_version is not trusted).
    /// </summary>
    private async Task<int?> ReadCompatAsync(int version, CancellationToken cancellationToken)
    {
        if (await ScalarAsync<long>($"SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '{SchemaCompatTable}';", cancellationToken) == 0)
        {
            return null;
        }
        await using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT readable_by FROM {SchemaCompatTable} WHERE only_row = 1 AND version = $version;";
        command.Parameters.AddWithValue("$version", version);
        return await command.ExecuteScalarAsync(cancellationToken) is long readableBy ? (int)readableBy : null;
    }

    private async Task WriteCompatAsync(int version, int readableBy, SqliteTransaction tx, CancellationToken cancellationToken)
    {
        await ExecuteAsync(
            $"CREATE TABLE IF NOT EXISTS {SchemaCompatTable} (\n" +
            "    only_row    INTEGER PRIMARY KEY NOT NULL CHECK (only_row = 1),\n" +
            "    version     INTEGER NOT NULL,\n" +
            "    readable_by INTEGER NOT NULL CHECK (readable_by BETWEEN 1 AND version)\n" +
            ") STRICT;", cancellationToken, tx);
        await using var command = _connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = $"INSERT INTO {SchemaCompatTable} (only_row, version, readable_by) VALUES (1, $version, $readableBy) " +
            "ON CONFLICT (only_row) DO UPDATE SET version = excluded.version, readable_by = excluded.readable_by;";
        command.Parameters.AddWithValue("$version", version);
        command.Parameters.AddWithValue("$readableBy", readableBy);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
