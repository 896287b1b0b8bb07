using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace WaSms.Storage.Tests;

/// <summary>
/// A rollback after an update (docs/updates.md §7): the older firmware opens the store a newer one
/// migrated, on a real SQLite file. A newer firmware is stood in for by the real migrations plus
/// synthetic ones (<see cref="GatewayStore.OpenAsync(string, TimeProvider, ILogger, IReadOnlyList{Migration}, CancellationToken)"/>).
/// </summary>
public sealed class RollbackCompatibilityTests : IDisposable
{
    private static readonly int Latest = Migration.LatestVersion;

    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    private string DbPath => Path.Combine(_dir.Path, GatewayStore.FileName);

    /// <summary>Additive: a new table, and a new column with a default on a table the older firmware writes.</summary>
    private static Migration Additive(int version, string? marker = null) => new(version, "synthetic-additive",
        (marker is null ? "" : $"-- readable-by: {marker}\n") +
        $"-- v{version}: a synthetic newer firmware's step\n" +
        $"CREATE TABLE future_{version} (id INTEGER PRIMARY KEY, note TEXT NOT NULL) STRICT;\n" +
        $"ALTER TABLE settings ADD COLUMN origin_{version} TEXT NOT NULL DEFAULT 'old-firmware';\n");

    private static IReadOnlyList<Migration> Newer(params Migration[] extra) => [.. Migration.All, .. extra];

    private Task<GatewayStore> OpenAsync(IReadOnlyList<Migration> migrations, ILogger? log = null) =>
        GatewayStore.OpenAsync(_dir.Path, _time, log ?? NullLogger.Instance, migrations, CancellationToken.None);

    /// <summary>The newer firmware runs: migrates to its latest and writes a row the way it would.</summary>
    private async Task MigrateWithNewerFirmwareAsync(params Migration[] extra)
    {
        await using var store = await OpenAsync(Newer(extra));
        Assert.Equal(Latest + extra.Length, store.SchemaVersion);
        Assert.False(store.CompatibilityMode);
        await store.SetSettingAsync("written-by", "newer", CancellationToken.None);
    }

    private async Task<T> QueryAsync<T>(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task AdditiveNewerStore_OlderFirmwareOpensIt_ReadsAndWrites_AndNeverLowersUserVersion()
    {
        await MigrateWithNewerFirmwareAsync(Additive(Latest + 1));
        var log = new RecordingLogger();

        await using (var store = await OpenAsync(Migration.All, log))
        {
            Assert.True(store.CompatibilityMode);
            Assert.Equal(Latest + 1, store.SchemaVersion);
            Assert.Equal("newer", await store.GetSettingAsync("written-by", CancellationToken.None));
            await store.SetSettingAsync("written-by-old", "older", CancellationToken.None);
            await store.SetSettingAsync("written-by", "older-too", CancellationToken.None);
        }

        var warning = Assert.Single(log.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.StartsWith($"Store schema v{Latest + 1} from newer firmware; running in compatibility mode", warning.Message, StringComparison.Ordinal);
        Assert.Equal(Latest + 1, await QueryAsync<long>("PRAGMA user_version;"));
        // The older firmware's insert knows nothing of the new column and gets its default.
        Assert.Equal("old-firmware", await QueryAsync<string>($"SELECT origin_{Latest + 1} FROM settings WHERE key = 'written-by-old';"));
    }

    [Fact]
    public async Task NewerStore_ThatNeedsTheNewerFirmware_IsRefusedNamingTheVersion_AndLeftAlone()
    {
        await MigrateWithNewerFirmwareAsync(Additive(Latest + 1, marker: $"{Latest + 1}"));
        var before = await File.ReadAllBytesAsync(DbPath);

        var error = await Assert.ThrowsAsync<StoreException>(() => OpenAsync(Migration.All));

        Assert.Equal(
            $"Database {DbPath} has schema v{Latest + 1}, newer than this firmware knows (v{Latest}); it needs firmware that knows v{Latest + 1}. " +
            "Install the newer firmware again, or move the file away to start over.", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Equal(before, await File.ReadAllBytesAsync(DbPath));
    }

    [Fact]
    public async Task UpgradeAgain_AfterTheRollback_FindsItsVersionAndJustContinues()
    {
        var step = Additive(Latest + 1);
        await MigrateWithNewerFirmwareAsync(step);
        await using (var rolledBack = await OpenAsync(Migration.All))
        {
            await rolledBack.SetSettingAsync("during-rollback", "kept", CancellationToken.None);
        }

        // The synthetic step is not idempotent (CREATE TABLE, ADD COLUMN): running it twice would fail.
        await using var upgraded = await OpenAsync(Newer(step));

        Assert.False(upgraded.CompatibilityMode);
        Assert.Equal(Latest + 1, upgraded.SchemaVersion);
        Assert.Equal("kept", await upgraded.GetSettingAsync("during-rollback", CancellationToken.None));
        Assert.Equal("newer", await upgraded.GetSettingAsync("written-by", CancellationToken.None));
    }

    [Fact]
    public async Task TwoAdditiveSteps_StillOpenTwoVersionsBack_ButAMarkerInTheSecondRaisesTheBar()
    {
        await MigrateWithNewerFirmwareAsync(Additive(Latest + 1), Additive(Latest + 2));
        await using (var store = await OpenAsync(Migration.All))
        {
            Assert.True(store.CompatibilityMode);
        }

        File.Delete(DbPath);
        await MigrateWithNewerFirmwareAsync(Additive(Latest + 1), Additive(Latest + 2, marker: $"{Latest + 1}"));

        var error = await Assert.ThrowsAsync<StoreException>(() => OpenAsync(Migration.All));
        Assert.Contains($"it needs firmware that knows v{Latest + 1}.", error.Message, StringComparison.Ordinal);
        await using var oneBack = await OpenAsync(Newer(Additive(Latest + 1)));
        Assert.True(oneBack.CompatibilityMode);
        Assert.Equal(Latest + 2, oneBack.SchemaVersion);
    }

    [Fact]
    public async Task FactoryReset_DuringTheRollback_KeepsTheMarker()
    {
        await MigrateWithNewerFirmwareAsync(Additive(Latest + 1));
        await using (var store = await OpenAsync(Migration.All))
        {
            await store.WipeEverythingAsync(CancellationToken.None);
            Assert.Null(await store.GetSettingAsync("written-by", CancellationToken.None));
        }

        await using var reopened = await OpenAsync(Migration.All);

        Assert.True(reopened.CompatibilityMode);
        Assert.Equal(Latest + 1, await QueryAsync<long>("SELECT version FROM schema_compat;"));
    }

    [Fact]
    public async Task AMarkerForAnotherVersion_IsNotTrusted()
    {
        await MigrateWithNewerFirmwareAsync(Additive(Latest + 1));
        await using (var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"UPDATE schema_compat SET version = {Latest};"; // as if user_version moved without it
            await command.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<StoreException>(() => OpenAsync(Migration.All));

        Assert.Contains($"it needs firmware that knows v{Latest + 1} (it records no readable-by)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStoreMadeBeforeTheMarker_GetsItAtTheNextOpen()
    {
        await using (await OpenAsync(Migration.All)) { }
        await using (var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "DROP TABLE schema_compat;";
            await command.ExecuteNonQueryAsync();
        }

        await using (await OpenAsync(Migration.All)) { }

        Assert.Equal(Latest, await QueryAsync<long>("SELECT version FROM schema_compat;"));
        Assert.Equal(Migration.ReadableByAt(Migration.All, Latest), await QueryAsync<long>("SELECT readable_by FROM schema_compat;"));
    }

    private sealed class RecordingLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}
