using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using WaSms.Emulators.Platform.Protocol;

namespace WaSms.Emulators.Platform.Store;

/// <summary>
/// The emulated platform's database: one SQLite file in its data directory, written with
/// synchronous=FULL, so whatever the tunnel acknowledged survives a kill -9 of the emulator. One
/// connection behind one lock: the emulator serves a handful of gateways.
/// </summary>
public sealed partial class PlatformStore : IAsyncDisposable
{
    /// <summary>The pacing a gateway gets in <c>welcome</c> until a <c>pacing</c> command changes it (docs/tunnel.md §6.1 defaults).</summary>
    public const string DefaultPacing = """{"minGap":1,"maxGap":5,"hourlyCap":0,"dailyCap":0,"cooldown":0}""";

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS codes (code TEXT PRIMARY KEY, created TEXT NOT NULL, used_key BLOB, used_at TEXT, gateway_id TEXT);
        CREATE TABLE IF NOT EXISTS gateways (id TEXT PRIMARY KEY, uniq TEXT NOT NULL UNIQUE, public_key BLOB NOT NULL,
            revoked INTEGER NOT NULL DEFAULT 0, acked_cursor INTEGER NOT NULL DEFAULT 0, last_seq INTEGER NOT NULL DEFAULT 0,
            state TEXT, pairing TEXT, pacing TEXT NOT NULL, created TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS outbox (gateway_id TEXT NOT NULL, seq INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY (gateway_id, seq));
        CREATE TABLE IF NOT EXISTS jobs (gateway_id TEXT NOT NULL, job_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, recipient TEXT NOT NULL,
            text TEXT NOT NULL, priority INTEGER NOT NULL, state TEXT NOT NULL, reason TEXT, message_id TEXT, created TEXT NOT NULL,
            accepted_at TEXT, sent_at TEXT, delivered_at TEXT, read_at TEXT, failed_at TEXT);
        CREATE TABLE IF NOT EXISTS commands (gateway_id TEXT NOT NULL, id TEXT PRIMARY KEY, seq INTEGER NOT NULL, name TEXT NOT NULL,
            args TEXT NOT NULL, created TEXT NOT NULL, ok INTEGER, error TEXT, message TEXT, data TEXT, result_at TEXT);
        CREATE TABLE IF NOT EXISTS received (gateway_id TEXT NOT NULL, cursor INTEGER NOT NULL, message_id TEXT NOT NULL, chat TEXT NOT NULL,
            sender TEXT NOT NULL, json TEXT NOT NULL, stored TEXT NOT NULL, UNIQUE (gateway_id, message_id, chat, sender));
        CREATE TABLE IF NOT EXISTS statuses (gateway_id TEXT NOT NULL, cursor INTEGER NOT NULL, json TEXT NOT NULL, stored TEXT NOT NULL,
            PRIMARY KEY (gateway_id, cursor));
        """;

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly TimeProvider _time;

    private PlatformStore(SqliteConnection connection, TimeProvider time)
    {
        _connection = connection;
        _time = time;
    }

    /// <summary>Opens (or creates) <c>platform.db</c> in <paramref name="directory"/>.</summary>
    public static async Task<PlatformStore> OpenAsync(string directory, TimeProvider time, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(directory, "platform.db"),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        await connection.OpenAsync(cancellationToken);
        var store = new PlatformStore(connection, time);
        await store.ExecuteAsync("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;" + Schema, cancellationToken);
        return store;
    }

    /// <summary>The HTTP API's <c>secret</c>: random, made once per data directory.</summary>
    public Task<string> GetOrCreateSecretAsync(CancellationToken cancellationToken) => Locked(async () =>
    {
        var existing = await ScalarAsync<string>("SELECT value FROM meta WHERE key = 'secret'", [], cancellationToken);
        if (existing is not null)
        {
            return existing;
        }

        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        await NonQueryAsync("INSERT INTO meta (key, value) VALUES ('secret', $v)", [("$v", secret)], cancellationToken);
        return secret;
    }, cancellationToken);

    /// <summary>Issues a fresh one-time enrollment code, <c>WSMS-XXXX-XXXX</c>.</summary>
    public Task<string> IssueCodeAsync(CancellationToken cancellationToken) => Locked(async () =>
    {
        const string Alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"; // no 0/O, 1/I: typed from a screen
        var letters = RandomNumberGenerator.GetItems<char>(Alphabet, 8);
        var code = $"WSMS-{new string(letters, 0, 4)}-{new string(letters, 4, 4)}";
        await NonQueryAsync("INSERT INTO codes (code, created) VALUES ($c, $t)", [("$c", NormalizeCode(code)), ("$t", Now())], cancellationToken);
        return code;
    }, cancellationToken);

    /// <summary>
    /// Consumes <paramref name="code"/> for <paramref name="publicKey"/> and returns the gateway, or
    /// why not (docs/tunnel.md §3): unknown, older than <paramref name="lifetime"/>, or used by another
    /// key. The same code from the same key within 24 h answers the same gateway (the <c>enrolled</c>
    /// frame may have been lost), even past the code's lifetime.
    /// </summary>
    public Task<(PlatformGateway? Gateway, string? Refusal)> EnrollAsync(string code, byte[] publicKey, TimeSpan lifetime, CancellationToken cancellationToken) =>
        Transaction<(PlatformGateway?, string?)>(async () =>
    {
        var normalized = NormalizeCode(code);
        await using var read = Command("SELECT used_key, used_at, gateway_id, created FROM codes WHERE code = $c", [("$c", normalized)]);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return (null, "the enrollment code is unknown");
        }

        var now = _time.GetUtcNow();
        if (!reader.IsDBNull(0))
        {
            var sameKey = ((byte[])reader[0]).AsSpan().SequenceEqual(publicKey);
            var recent = now - DateTimeOffset.Parse(reader.GetString(1), System.Globalization.CultureInfo.InvariantCulture) < TimeSpan.FromHours(24);
            var id = reader.GetString(2);
            await reader.DisposeAsync();
            var gateway = sameKey && recent ? await ReadGatewayAsync("id", id, cancellationToken) : null;
            return gateway is { Revoked: false } ? (gateway, null) : (null, "the enrollment code was already used");
        }

        var issued = DateTimeOffset.Parse(reader.GetString(3), System.Globalization.CultureInfo.InvariantCulture);
        await reader.DisposeAsync();
        if (now - issued >= lifetime)
        {
            return (null, $"the enrollment code expired: codes are valid for {Hours(lifetime)} after they are issued; create a new one in the dashboard");
        }

        var gatewayId = "gw_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var unique = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        await NonQueryAsync("INSERT INTO gateways (id, uniq, public_key, pacing, created) VALUES ($i, $u, $k, $p, $t)",
            [("$i", gatewayId), ("$u", unique), ("$k", publicKey), ("$p", DefaultPacing), ("$t", Now())], cancellationToken);
        await NonQueryAsync("UPDATE codes SET used_key = $k, used_at = $t, gateway_id = $i WHERE code = $c",
            [("$k", publicKey), ("$t", Now()), ("$i", gatewayId), ("$c", normalized)], cancellationToken);
        return (await ReadGatewayAsync("id", gatewayId, cancellationToken), null);
    }, cancellationToken);

    private static string Hours(TimeSpan lifetime) =>
        lifetime.TotalHours >= 1 ? lifetime.TotalHours.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " h"
            : lifetime.TotalMinutes.ToString("0", System.Globalization.CultureInfo.InvariantCulture) + " min";

    /// <summary>The gateway with tunnel id <paramref name="id"/>, or null.</summary>
    public Task<PlatformGateway?> GetGatewayAsync(string id, CancellationToken cancellationToken) =>
        Locked(() => ReadGatewayAsync("id", id, cancellationToken), cancellationToken);

    /// <summary>The gateway whose API account id is <paramref name="unique"/>, or null.</summary>
    public Task<PlatformGateway?> GetGatewayByUniqueAsync(string unique, CancellationToken cancellationToken) =>
        Locked(() => ReadGatewayAsync("uniq", unique, cancellationToken), cancellationToken);

    /// <summary>Every gateway, oldest first.</summary>
    public Task<List<PlatformGateway>> ListGatewaysAsync(CancellationToken cancellationToken) => Locked(async () =>
    {
        await using var command = Command(GatewayColumns + " ORDER BY created, id", []);
        return await ReadAllAsync(command, ReadGateway, cancellationToken);
    }, cancellationToken);

    /// <summary>Revokes the gateway's credential: its next <c>hello</c> is answered <c>revoked</c>.</summary>
    public Task RevokeAsync(string id, CancellationToken cancellationToken) =>
        Locked(() => NonQueryAsync("UPDATE gateways SET revoked = 1 WHERE id = $i", [("$i", id)], cancellationToken), cancellationToken);

    /// <summary>Keeps the latest <c>state</c> (<paramref name="column"/> = state) or <c>pairing</c> frame of a gateway.</summary>
    public Task RecordReportAsync(string id, bool pairing, string json, CancellationToken cancellationToken) =>
        Locked(() => NonQueryAsync($"UPDATE gateways SET {(pairing ? "pairing" : "state")} = $j WHERE id = $i", [("$j", json), ("$i", id)], cancellationToken), cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _lock.WaitAsync();
        await _connection.DisposeAsync();
        _lock.Dispose();
    }

    /// <summary>The code as the platform compares it: upper case, without <c>-</c> and spaces.</summary>
    internal static string NormalizeCode(string code) =>
        new([.. code.Where(c => c is not ('-' or ' ')).Select(char.ToUpperInvariant)]);

    private const string GatewayColumns = "SELECT id, uniq, public_key, revoked, acked_cursor, last_seq, state, pairing, pacing, created FROM gateways";

    private async Task<PlatformGateway?> ReadGatewayAsync(string column, string value, CancellationToken cancellationToken)
    {
        await using var command = Command($"{GatewayColumns} WHERE {column} = $v", [("$v", value)]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadGateway(reader) : null;
    }

    private static PlatformGateway ReadGateway(SqliteDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), (byte[])reader[2], reader.GetInt64(3) != 0, reader.GetInt64(4), reader.GetInt64(5),
        reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetString(8),
        DateTimeOffset.Parse(reader.GetString(9), System.Globalization.CultureInfo.InvariantCulture));

    private string Now() => PlatformTime.Format(_time.GetUtcNow());

    private async Task<T> Locked<T>(Func<Task<T>> action, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            return await action();
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Runs <paramref name="action"/> under the lock in one transaction, committed (synchronous=FULL: on disk) when it returns.</summary>
    private Task<T> Transaction<T>(Func<Task<T>> action, CancellationToken cancellationToken) => Locked(async () =>
    {
        await ExecuteAsync("BEGIN IMMEDIATE", cancellationToken);
        try
        {
            var result = await action();
            await ExecuteAsync("COMMIT", CancellationToken.None);
            return result;
        }
        catch
        {
            await ExecuteAsync("ROLLBACK", CancellationToken.None);
            throw;
        }
    }, cancellationToken);

    private Task<int> Locked(Func<Task> action, CancellationToken cancellationToken) =>
        Locked(async () => { await action(); return 0; }, cancellationToken);

    private SqliteCommand Command(string sql, (string Name, object? Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private async Task NonQueryAsync(string sql, (string Name, object? Value)[] parameters, CancellationToken cancellationToken) =>
        await ChangeAsync(sql, parameters, cancellationToken);

    /// <returns>How many rows changed.</returns>
    private async Task<int> ChangeAsync(string sql, (string Name, object? Value)[] parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<T?> ScalarAsync<T>(string sql, (string Name, object? Value)[] parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? default : (T)value;
    }

    private Task ExecuteAsync(string sql, CancellationToken cancellationToken) => NonQueryAsync(sql, [], cancellationToken);
}
