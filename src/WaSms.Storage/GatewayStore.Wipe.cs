using Microsoft.Data.Sqlite;

namespace WaSms.Storage;

/// <summary>
/// Wipes that leave nothing recoverable in the files. Every connection runs with
/// <c>secure_delete</c>, so a deleted row's bytes are overwritten in the page that held it; a wipe then
/// truncates the WAL (old page images), rebuilds the file with <c>VACUUM</c> (free pages, and rows
/// deleted before <c>secure_delete</c> was on) and truncates the WAL again. What is wiped is decided
/// by the schema, not by a list of tables: a relink deletes a scope's rows from every table that has a
/// <c>scope</c> column; a factory reset deletes the rows of every table but the reset journal and the
/// schema's compatibility marker.
/// </summary>
public sealed partial class GatewayStore
{
    /// <summary>The store's own bookkeeping that a factory reset keeps: the reset in progress.</summary>
    private const string PendingResetTable = "pending_reset";

    /// <summary>The platform enrollment code provisioning writes beside the database (Gateway/Provisioning/ProvisioningApplier.cs).</summary>
    public const string EnrollmentCodeFileName = "enrollment-code";

    /// <summary>
    /// Deletes what a factory reset must not leave beside the database: databases moved aside as
    /// damaged or foreign (<c>gateway.db.bad-*</c>, with their -wal and -shm) and the enrollment code.
    /// Deleted, not overwritten first: on flash an overwrite lands on other blocks (docs/architecture.md).
    /// </summary>
    /// <exception cref="IOException">A file could not be deleted (the reset stays pending and is retried).</exception>
    public void DeleteFactoryResetFiles()
    {
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        foreach (var file in Directory.EnumerateFiles(directory, FileName + ".bad-*").Append(System.IO.Path.Combine(directory, EnrollmentCodeFileName)))
        {
            File.Delete(file); // a missing file is no error
        }
    }

    /// <summary>
    /// Forgets everything of one secret scope (its secrets, numbered keys, and whatever a later table
    /// keeps with a <c>scope</c> column) in one transaction, then scrubs the files.
    /// </summary>
    public Task WipeSecretsAsync(string scope, CancellationToken cancellationToken) =>
        WipeAsync((c, tx) => DeleteScopeAsync(c, tx, scope, cancellationToken), cancellationToken);

    /// <summary>
    /// Fails every pending send with <paramref name="failReason"/> (each with its stream event) and
    /// forgets <paramref name="scope"/> as <see cref="WipeSecretsAsync"/> does, in ONE transaction,
    /// then scrubs: a crash leaves either both done or neither, never failed sends beside a session
    /// that still sends, nor a wiped session beside jobs a later link (maybe another number) would send.
    /// </summary>
    public Task ForgetScopeFailingSendsAsync(string scope, string failReason, CancellationToken cancellationToken) =>
        WipeAsync(async (c, tx) =>
            await FailPendingSendsAsync(c, tx, Now, failReason, cancellationToken) + await DeleteScopeAsync(c, tx, scope, cancellationToken),
            cancellationToken);

    private static async Task<int> DeleteScopeAsync(SqliteConnection c, SqliteTransaction tx, string scope, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var table in await TablesAsync(c, tx, withScopeColumn: true, cancellationToken))
        {
            await using var command = Command(c, tx, $"DELETE FROM {Quote(table)} WHERE scope = $scope");
            command.Parameters.AddWithValue("$scope", scope);
            deleted += await command.ExecuteNonQueryAsync(cancellationToken);
        }
        return deleted;
    }

    /// <summary>
    /// Forgets every row of every table (factory reset) except the reset journal and the schema's
    /// compatibility marker (GatewayStore.SchemaCompat.cs), in one transaction,
    /// then scrubs the files.
    /// </summary>
    public Task WipeEverythingAsync(CancellationToken cancellationToken) =>
        WipeAsync(async (c, tx) =>
        {
            var deleted = 0;
            foreach (var table in await TablesAsync(c, tx, withScopeColumn: false, cancellationToken))
            {
                await using var command = Command(c, tx, $"DELETE FROM {Quote(table)}");
                deleted += await command.ExecuteNonQueryAsync(cancellationToken);
            }
            return deleted;
        }, cancellationToken);

    /// <summary>Deletes with <paramref name="delete"/> in one transaction, then scrubs, alone on the connection.</summary>
    private async Task<int> WipeAsync(Func<SqliteConnection, SqliteTransaction, Task<int>> delete, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            int deleted;
            await using (var tx = (SqliteTransaction)await _connection.BeginTransactionAsync(cancellationToken))
            {
                // Tables are emptied in name order; a later foreign key is checked once, at commit.
                await using (var defer = Command(_connection, tx, "PRAGMA defer_foreign_keys = ON;"))
                {
                    await defer.ExecuteNonQueryAsync(cancellationToken);
                }
                deleted = await delete(_connection, tx);
                await tx.CommitAsync(cancellationToken);
            }
            // Scrub even when nothing was deleted now: a wipe resumed after a crash may find the rows
            // gone but their old page images still in the WAL.
            await CheckpointTruncateAsync(cancellationToken);
            await ExecuteAsync("VACUUM;", cancellationToken);
            await CheckpointTruncateAsync(cancellationToken);
            return deleted;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Copies the WAL into the database and truncates it to zero bytes.</summary>
    /// <exception cref="StoreException">Another connection kept the WAL from being truncated.</exception>
    private async Task CheckpointTruncateAsync(CancellationToken cancellationToken)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (await reader.ReadAsync(cancellationToken) && reader.GetInt64(0) != 0)
        {
            // The rows are deleted but their old pages may remain in the WAL; the reset journal keeps
            // the reset pending, so it is scrubbed again on the next start or reset.
            throw new StoreException($"Database {Path} is open in another process; its write-ahead log could not be cleared after the wipe");
        }
    }

    /// <summary>User tables (not SQLite's own, not the reset journal); with <paramref name="withScopeColumn"/> only those with a <c>scope</c> column.</summary>
    private static async Task<List<string>> TablesAsync(SqliteConnection c, SqliteTransaction tx, bool withScopeColumn, CancellationToken cancellationToken)
    {
        var sql = withScopeColumn
            ? "SELECT m.name FROM sqlite_schema m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND p.name = 'scope' ORDER BY m.name"
            : "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name";
        await using var command = Command(c, tx, sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tables = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var name = reader.GetString(0);
            // sqlite_sequence (AUTOINCREMENT counters) may be emptied; the other sqlite_ tables may not.
            if (name is not PendingResetTable and not SchemaCompatTable && (!name.StartsWith("sqlite_", StringComparison.Ordinal) || name == "sqlite_sequence"))
            {
                tables.Add(name);
            }
        }
        return tables;
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
