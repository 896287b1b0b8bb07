using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace WaSms.Storage;

/// <summary>
/// The gateway's one SQLite database (<c>&lt;state-dir&gt;/gateway.db</c>): WAL, foreign keys,
/// numbered migrations, file mode 0600. Every multi-row change runs in one transaction, so a power
/// cut leaves either the old or the new rows. All access goes through one connection, one call at
/// a time: the appliance is small and this keeps SQLite's locking out of the picture.
/// </summary>
public sealed partial class GatewayStore : IAsyncDisposable
{
    public const string FileName = "gateway.db";

    /// <summary>Written to the SQLite header (<c>PRAGMA application_id</c>): "WaSM".</summary>
    public const int ApplicationId = 0x5761534D;

    private static readonly byte[] SqliteMagic = Encoding.ASCII.GetBytes("SQLite format 3\0");

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, SqliteCommand> _prepared = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    private GatewayStore(string path, SqliteConnection connection, TimeProvider time, string? movedAside)
    {
        Path = path;
        _connection = connection;
        _time = time;
        MovedAsideTo = movedAside;
    }

    public string Path { get; }

    /// <summary>Where a corrupt or foreign database was moved when this store was opened, or null.</summary>
    public string? MovedAsideTo { get; }

    public int SchemaVersion { get; private set; }

    /// <summary>
    /// True when the store's schema is newer than this firmware knows but declares it readable by this
    /// firmware (a rollback after an update, docs/updates.md §7): nothing was migrated.
    /// </summary>
    public bool CompatibilityMode { get; private set; }

    /// <summary>
    /// Opens (creating or migrating) the database in <paramref name="stateDirectory"/>. A file that is
    /// not SQLite, is damaged, or belongs to another program is renamed to
    /// <c>gateway.db.bad-&lt;time&gt;</c> (never deleted) and a fresh database is created.
    /// </summary>
    /// <remarks>
    /// A store a newer firmware migrated (a rollback after an update) opens in
    /// <see cref="CompatibilityMode"/> when its recorded readable-by is at most this firmware's latest
    /// migration: nothing is migrated and user_version stays where the newer firmware left it.
    /// </remarks>
    /// <exception cref="StoreException">The schema is newer than this firmware and not readable by it, or the directory is unusable.</exception>
    public static Task<GatewayStore> OpenAsync(string stateDirectory, TimeProvider time, ILogger log, CancellationToken cancellationToken) =>
        OpenAsync(stateDirectory, time, log, Migration.All, cancellationToken);

    /// <summary>
    /// <see cref="OpenAsync(string, TimeProvider, ILogger, CancellationToken)"/> with another migration
    /// list: tests stand in for a newer (or older) firmware with it.
    /// </summary>
    internal static async Task<GatewayStore> OpenAsync(string stateDirectory, TimeProvider time, ILogger log, IReadOnlyList<Migration> migrations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(migrations);
        if (migrations.Count == 0)
        {
            throw new ArgumentException("at least one migration is needed", nameof(migrations));
        }
        Migration.CheckNumbering(migrations);
        CreateStateDirectory(stateDirectory);

        var path = System.IO.Path.Combine(stateDirectory, FileName);
        string? movedAside = null;
        var problem = DescribeForeignFile(path);
        for (var attempt = 0; ; attempt++)
        {
            if (problem is not null)
            {
                movedAside = MoveAside(path, time);
                log.LogError("Database {Path} {Problem}; moved it aside to {MovedTo} and started a new one", path, problem, movedAside);
            }

            CreateWithOwnerOnlyMode(path);
            var connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = path,
                Mode = SqliteOpenMode.ReadWrite,
                Pooling = false,
                DefaultTimeout = 30,
            }.ToString());
            var store = new GatewayStore(path, connection, time, movedAside);
            try
            {
                await connection.OpenAsync(cancellationToken);
                problem = await store.InitializeAsync(migrations, log, cancellationToken);
                if (problem is null)
                {
                    store.RestrictFileModes();
                    return store;
                }
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode is 11 or 26 && attempt == 0) // SQLITE_CORRUPT, SQLITE_NOTADB
            {
                problem = $"is damaged ({ex.Message})";
            }
            catch
            {
                await store.DisposeAsync();
                throw;
            }
            await store.DisposeAsync();
            if (attempt > 0)
            {
                throw new StoreException($"Database {path} could not be created: {problem}");
            }
        }
    }

    /// <summary>
    /// Creates <paramref name="stateDirectory"/> if it is missing, 0700: a new directory is the
    /// service's own. An existing one keeps its mode: the service never takes over a directory it did
    /// not create. The one place that creates it: the gateway's own check (Hosting/StateDirectory.cs)
    /// calls it before anything is written, and callers without the host get the same directory here.
    /// </summary>
    /// <exception cref="StoreException">The directory cannot be created (its inner exception says why).</exception>
    public static void CreateStateDirectory(string stateDirectory)
    {
        try
        {
            Directory.CreateDirectory(stateDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StoreException($"State directory {stateDirectory} cannot be created: {ex.Message}", ex);
        }
    }

    /// <returns>A problem that means the file must be moved aside, or null when the store is ready.</returns>
    private async Task<string?> InitializeAsync(IReadOnlyList<Migration> migrations, ILogger log, CancellationToken cancellationToken)
    {
        // Look before touching anything: a foreign or newer file must be left exactly as it was.
        var check = await ScalarAsync<string>("PRAGMA quick_check;", cancellationToken);
        if (check != "ok")
        {
            return $"is damaged (quick_check: {check})";
        }

        var applicationId = await ScalarAsync<long>("PRAGMA application_id;", cancellationToken);
        var version = (int)await ScalarAsync<long>("PRAGMA user_version;", cancellationToken);
        var tables = await ScalarAsync<long>("SELECT count(*) FROM sqlite_schema;", cancellationToken);
        if (applicationId != ApplicationId && (applicationId != 0 || tables > 0))
        {
            return $"belongs to another program (application_id {applicationId}, {tables} schema objects)";
        }
        var latest = migrations[^1].Version;
        if (version > latest)
        {
            var readableBy = await ReadCompatAsync(version, cancellationToken);
            if (readableBy is not { } needed || needed > latest)
            {
                throw new StoreException(
                    $"Database {Path} has schema v{version}, newer than this firmware knows (v{latest}); " +
                    $"it needs firmware that knows v{readableBy ?? version}{(readableBy is null ? " (it records no readable-by)" : "")}. " +
                    "Install the newer firmware again, or move the file away to start over.");
            }
            log.LogWarning("Store schema v{Version} from newer firmware; running in compatibility mode (this firmware knows v{Latest}, the store is readable from v{ReadableBy} on)",
                version, latest, needed);
            CompatibilityMode = true;
        }

        await ExecuteAsync("PRAGMA journal_mode = WAL;", cancellationToken);
        // FULL: a power cut must not lose a committed credential or queue row. secure_delete: a
        // deleted row (a used prekey, a wiped session) is overwritten with zeros, not left in a free
        // page or cell; wipes also scrub the WAL and free pages (GatewayStore.Wipe.cs).
        await ExecuteAsync("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;", cancellationToken);

        if (!CompatibilityMode)
        {
            foreach (var migration in migrations.Where(m => m.Version > version))
            {
                await using var tx = (SqliteTransaction)await _connection.BeginTransactionAsync(cancellationToken);
                try
                {
                    await ExecuteAsync(migration.Sql, cancellationToken, tx);
                    await ExecuteAsync($"PRAGMA user_version = {migration.Version}; PRAGMA application_id = {ApplicationId};", cancellationToken, tx);
                    await WriteCompatAsync(migration.Version, Migration.ReadableByAt(migrations, migration.Version), tx, cancellationToken);
                    await tx.CommitAsync(cancellationToken);
                }
                catch (SqliteException ex)
                {
                    throw new StoreException($"Migration {migration.Version:0000}-{migration.Name} failed: {ex.Message}", ex);
                }
            }
            // A store that was already current (made before the marker existed) gets its marker now.
            if (version == latest && await ReadCompatAsync(latest, cancellationToken) != Migration.ReadableByAt(migrations, latest))
            {
                await using var tx = (SqliteTransaction)await _connection.BeginTransactionAsync(cancellationToken);
                await WriteCompatAsync(latest, Migration.ReadableByAt(migrations, latest), tx, cancellationToken);
                await tx.CommitAsync(cancellationToken);
            }
        }
        SchemaVersion = (int)await ScalarAsync<long>("PRAGMA user_version;", cancellationToken);
        return null;
    }

    private static string? DescribeForeignFile(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        var header = new byte[SqliteMagic.Length];
        using (var file = File.OpenRead(path))
        {
            var read = file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            if (read == 0)
            {
                return null; // an empty file: SQLite treats it as a new database
            }
            if (read < header.Length || !header.AsSpan().SequenceEqual(SqliteMagic))
            {
                return "is not an SQLite database";
            }
        }
        return null;
    }

    private static string MoveAside(string path, TimeProvider time)
    {
        var target = $"{path}.bad-{time.GetUtcNow():yyyyMMdd'T'HHmmss'Z'}";
        for (var n = 1; File.Exists(target); n++)
        {
            target = $"{path}.bad-{time.GetUtcNow():yyyyMMdd'T'HHmmss'Z'}-{n}";
        }
        File.Move(path, target);
        foreach (var suffix in new[] { "-wal", "-shm" })
        {
            if (File.Exists(path + suffix))
            {
                File.Move(path + suffix, target + suffix);
            }
        }
        return target;
    }

    private static void CreateWithOwnerOnlyMode(string path)
    {
        if (!File.Exists(path))
        {
            using var _ = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
    }

    private void RestrictFileModes()
    {
        foreach (var file in new[] { Path, Path + "-wal", Path + "-shm" })
        {
            if (File.Exists(file))
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
    }

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken, SqliteTransaction? tx = null)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<T> ScalarAsync<T>(string sql, CancellationToken cancellationToken)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = sql;
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return (T)value!;
    }

    /// <summary>Reads a numeric pragma of the store's own connection (tests check foreign_keys, synchronous, secure_delete).</summary>
    internal Task<long> ReadPragmaAsync(string name, CancellationToken cancellationToken) =>
        name is "foreign_keys" or "synchronous" or "secure_delete" or "user_version" or "application_id"
            ? InTransactionAsync(async (c, tx) =>
            {
                await using var command = Command(c, tx, $"PRAGMA {name};");
                return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
            }, cancellationToken)
            : throw new ArgumentException($"pragma {name} is not readable here", nameof(name));

    /// <summary>Runs <paramref name="work"/> alone on the connection, inside one transaction.</summary>
    private async Task<T> InTransactionAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var tx = (SqliteTransaction)await _connection.BeginTransactionAsync(cancellationToken);
            var result = await work(_connection, tx);
            await tx.CommitAsync(cancellationToken);
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction tx, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        return command;
    }

    /// <summary>
    /// The command for <paramref name="sql"/>, prepared on its first use and kept for the connection's
    /// life, with no parameters bound: the caller binds them and must not dispose it. For the statements
    /// an offline backlog runs per message (duplicate check, inbound insert, stream event, session
    /// read and write): SQLite parsing and planning them anew each time was most of the store's CPU
    /// (docs/performance.md). Safe because the connection runs one call at a time (<see cref="_gate"/>).
    /// </summary>
    private SqliteCommand Prepared(SqliteConnection connection, SqliteTransaction? tx, string sql)
    {
        if (!_prepared.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            _prepared[sql] = command;
        }
        command.Transaction = tx;
        command.Parameters.Clear();
        return command;
    }

    /// <summary>A command with its parameters bound by name (<c>("$key", value)</c>).</summary>
    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction tx, string sql, params (string Name, object Value)[] parameters)
    {
        var command = Command(connection, tx, sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return command;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var command in _prepared.Values)
        {
            await command.DisposeAsync();
        }
        _prepared.Clear();
        await _connection.DisposeAsync();
        _gate.Dispose();
    }
}
