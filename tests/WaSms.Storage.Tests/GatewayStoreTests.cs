using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace WaSms.Storage.Tests;

public sealed class GatewayStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    private string DbPath => Path.Combine(_dir.Path, GatewayStore.FileName);

    private Task<GatewayStore> OpenAsync() => GatewayStore.OpenAsync(_dir.Path, _time, NullLogger.Instance, CancellationToken.None);

    public void Dispose() => _dir.Dispose();

    private static async Task<string> PragmaAsync(string path, string pragma)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {pragma};";
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture)!;
    }

    [Fact]
    public async Task Open_Fresh_CreatesLatestSchemaInWalWithOwnerOnlyFiles()
    {
        await using (var store = await OpenAsync())
        {
            Assert.Equal(Migration.LatestVersion, store.SchemaVersion);
            Assert.Null(store.MovedAsideTo);
            await store.SetSettingAsync("k", "v", CancellationToken.None);
            foreach (var file in new[] { DbPath, DbPath + "-wal", DbPath + "-shm" })
            {
                Assert.True(File.Exists(file), file);
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }
        }
        Assert.Equal("wal", await PragmaAsync(DbPath, "journal_mode"));
        Assert.Equal(GatewayStore.ApplicationId.ToString(System.Globalization.CultureInfo.InvariantCulture), await PragmaAsync(DbPath, "application_id"));
    }

    [Fact]
    public async Task Open_CreatesAMissingDirectoryOwnerOnly_AndLeavesAnExistingOnesModeAlone()
    {
        var fresh = Path.Combine(_dir.Path, "new");
        await using (await GatewayStore.OpenAsync(fresh, _time, NullLogger.Instance, CancellationToken.None))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(fresh));
        }

        // Not the service's directory: its mode stays whatever its owner chose (issue 9, item 3).
        var existing = Path.Combine(_dir.Path, "existing");
        Directory.CreateDirectory(existing);
        const UnixFileMode Mode755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(existing, Mode755);
        await using (await GatewayStore.OpenAsync(existing, _time, NullLogger.Instance, CancellationToken.None))
        {
            Assert.Equal(Mode755, File.GetUnixFileMode(existing));
        }
    }

    [Fact]
    public async Task Open_ConnectionHasForeignKeysAndFullSync()
    {
        await using var store = await OpenAsync();

        Assert.Equal(1, await store.ReadPragmaAsync("foreign_keys", CancellationToken.None));
        Assert.Equal(2, await store.ReadPragmaAsync("synchronous", CancellationToken.None)); // FULL
    }

    [Fact]
    public async Task Open_VersionOneDatabase_MigratesAndKeepsData()
    {
        await using (var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = Migration.All[0].Sql +
                $"PRAGMA user_version = 1; PRAGMA application_id = {GatewayStore.ApplicationId};" +
                "INSERT INTO settings (key, value, updated_at) VALUES ('gateway-id', 'abc123', 1);" +
                "INSERT INTO secrets (scope, name, value, updated_at) VALUES ('whatsapp', 'noise-key', x'0102', 1);";
            await command.ExecuteNonQueryAsync();
        }

        await using var store = await OpenAsync();

        Assert.Equal(Migration.LatestVersion, store.SchemaVersion);
        Assert.Equal("abc123", await store.GetSettingAsync("gateway-id", CancellationToken.None));
        Assert.Equal(new byte[] { 1, 2 }, (await store.GetSecretsAsync(SecretScopes.WhatsApp, CancellationToken.None))["noise-key"]);
        Assert.True(await store.EnqueueAsync("outbox", "a", [1], CancellationToken.None)); // v2 table exists
    }

    [Fact]
    public async Task Open_NotSqlite_MovesItAsideAndStartsFresh()
    {
        var garbage = Encoding.ASCII.GetBytes("this is certainly not a database, but somebody's notes");
        await File.WriteAllBytesAsync(DbPath, garbage);

        await using var store = await OpenAsync();

        Assert.NotNull(store.MovedAsideTo);
        Assert.Equal(garbage, await File.ReadAllBytesAsync(store.MovedAsideTo!));
        Assert.StartsWith(DbPath + ".bad-20261125T120000Z", store.MovedAsideTo, StringComparison.Ordinal);
        Assert.Equal(Migration.LatestVersion, store.SchemaVersion);
    }

    [Fact]
    public async Task Open_DamagedSqlite_MovesItAside()
    {
        await using (var store = await OpenAsync())
        {
            for (var i = 0; i < 200; i++)
            {
                await store.EnqueueAsync("outbox", $"k{i}", new byte[512], CancellationToken.None);
            }
        }
        // Keep the header, scribble over the pages after it.
        var bytes = await File.ReadAllBytesAsync(DbPath);
        new Random(7).NextBytes(bytes.AsSpan(100, bytes.Length - 100));
        await File.WriteAllBytesAsync(DbPath, bytes);

        await using var reopened = await OpenAsync();

        Assert.NotNull(reopened.MovedAsideTo);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(reopened.MovedAsideTo!));
        Assert.Empty(await reopened.GetQueueDepthsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Open_OtherProgramsDatabase_MovesItAside()
    {
        await using (var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO photos VALUES (1, 'cat');";
            await command.ExecuteNonQueryAsync();
        }

        await using var store = await OpenAsync();

        Assert.NotNull(store.MovedAsideTo);
        Assert.True(File.Exists(store.MovedAsideTo));
    }

    [Fact]
    public async Task Open_NewerSchema_RefusesAndLeavesTheFileAlone()
    {
        await using (var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"CREATE TABLE future (x); PRAGMA user_version = 99; PRAGMA application_id = {GatewayStore.ApplicationId};";
            await command.ExecuteNonQueryAsync();
        }
        var before = await File.ReadAllBytesAsync(DbPath);

        var error = await Assert.ThrowsAsync<StoreException>(OpenAsync);

        Assert.Contains("schema v99", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(DbPath));
        Assert.Single(Directory.GetFiles(_dir.Path, "gateway.db*"), f => !f.EndsWith("-wal", StringComparison.Ordinal) && !f.EndsWith("-shm", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Open_UnwritableStateDirectory_SaysWhich()
    {
        var blocker = Path.Combine(_dir.Path, "file");
        await File.WriteAllTextAsync(blocker, "x");

        var error = await Assert.ThrowsAsync<StoreException>(() =>
            GatewayStore.OpenAsync(Path.Combine(blocker, "state"), _time, NullLogger.Instance, CancellationToken.None));

        Assert.Contains(blocker, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReplaceSecrets_ReplacesTheWholeScopeOnly()
    {
        await using var store = await OpenAsync();
        await store.ReplaceSecretsAsync("whatsapp", new Dictionary<string, byte[]> { ["a"] = [1], ["b"] = [2] }, CancellationToken.None);
        await store.ReplaceSecretsAsync("platform", new Dictionary<string, byte[]> { ["token"] = [9] }, CancellationToken.None);

        await store.ReplaceSecretsAsync("whatsapp", new Dictionary<string, byte[]> { ["c"] = [3] }, CancellationToken.None);

        var whatsapp = await store.GetSecretsAsync("whatsapp", CancellationToken.None);
        Assert.Equal(["c"], whatsapp.Keys);
        Assert.Equal([9], (await store.GetSecretsAsync("platform", CancellationToken.None))["token"]);

        await store.WipeSecretsAsync("whatsapp", CancellationToken.None);
        Assert.Empty(await store.GetSecretsAsync("whatsapp", CancellationToken.None));
        Assert.Single(await store.GetSecretsAsync("platform", CancellationToken.None));
    }

    [Fact]
    public async Task Queue_DuplicateKey_IsNotQueuedTwiceEvenAfterAck()
    {
        await using var store = await OpenAsync();
        Assert.True(await store.EnqueueAsync("outbox", "msg-1", [1], CancellationToken.None));
        Assert.False(await store.EnqueueAsync("outbox", "msg-1", [1], CancellationToken.None));
        Assert.True(await store.EnqueueAsync("inbox", "msg-1", [1], CancellationToken.None));

        var taken = await store.TakeAsync("outbox", 10, CancellationToken.None);
        Assert.Single(taken);
        Assert.Equal(1, taken[0].Attempts);
        await store.AckAsync([taken[0].Id], CancellationToken.None);

        Assert.False(await store.EnqueueAsync("outbox", "msg-1", [1], CancellationToken.None));
        Assert.Empty(await store.TakeAsync("outbox", 10, CancellationToken.None));
        Assert.Equal(new Dictionary<string, long> { ["inbox"] = 1 }, await store.GetQueueDepthsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Queue_TakeWithoutAck_CountsAttemptsAndKeepsOrder()
    {
        await using var store = await OpenAsync();
        for (var i = 0; i < 5; i++)
        {
            await store.EnqueueAsync("outbox", $"k{i}", [(byte)i], CancellationToken.None);
        }

        await store.TakeAsync("outbox", 2, CancellationToken.None);
        var again = await store.TakeAsync("outbox", 3, CancellationToken.None);

        Assert.Equal(["k0", "k1", "k2"], again.Select(i => i.DedupKey));
        Assert.Equal([2, 2, 1], again.Select(i => i.Attempts));
    }

    [Fact]
    public async Task Settings_GetOrCreate_KeepsTheFirstValue()
    {
        await using var store = await OpenAsync();
        var first = await store.GetOrCreateSettingAsync("gateway-id", () => "one", CancellationToken.None);
        var second = await store.GetOrCreateSettingAsync("gateway-id", () => "two", CancellationToken.None);

        Assert.Equal("one", first);
        Assert.Equal("one", second);
    }

    [Fact]
    public async Task ResetParticipant_RelinkForgetsWhatsAppOnly_FactoryForgetsEverything()
    {
        await using var store = await OpenAsync();
        await store.ReplaceSecretsAsync(SecretScopes.WhatsApp, new Dictionary<string, byte[]> { ["k"] = [1] }, CancellationToken.None);
        await store.ReplaceSecretsAsync(SecretScopes.Platform, new Dictionary<string, byte[]> { ["token"] = [2] }, CancellationToken.None);
        await store.EnqueueAsync("outbox", "m", [1], CancellationToken.None);
        await store.SetSettingAsync("gateway-id", "x", CancellationToken.None);
        var participant = new StoreResetParticipant(store);

        Assert.Equal(0, await participant.FlushAsync(Core.Reset.ResetKind.Relink, CancellationToken.None));
        await participant.WipeAsync(Core.Reset.ResetKind.Relink, CancellationToken.None);
        Assert.Empty(await store.GetSecretsAsync(SecretScopes.WhatsApp, CancellationToken.None));
        Assert.Single(await store.GetSecretsAsync(SecretScopes.Platform, CancellationToken.None));

        Assert.Equal(1, await participant.FlushAsync(Core.Reset.ResetKind.FactoryReset, CancellationToken.None));
        await participant.WipeAsync(Core.Reset.ResetKind.FactoryReset, CancellationToken.None);
        Assert.Empty(await store.GetSecretsAsync(SecretScopes.Platform, CancellationToken.None));
        Assert.Empty(await store.GetQueueDepthsAsync(CancellationToken.None));
        Assert.Null(await store.GetSettingAsync("gateway-id", CancellationToken.None));
    }

    [Fact]
    public void Migrations_AreNumberedAndStartWithAComment()
    {
        Assert.Equal(Enumerable.Range(1, Migration.All.Count), Migration.All.Select(m => m.Version));
        Assert.All(Migration.All, m => Assert.StartsWith($"-- v{m.Version}: ", m.Sql, StringComparison.Ordinal));
    }
}
