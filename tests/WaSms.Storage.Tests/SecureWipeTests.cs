using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaSms.Core.Reset;

namespace WaSms.Storage.Tests;

/// <summary>
/// A wipe leaves nothing recoverable in the files (issue #9 point 1): every file of the state
/// directory is searched for the wiped bytes, while the store is open and after it is closed.
/// </summary>
public sealed class SecureWipeTests : IDisposable
{
    private const int PreKeys = 2000; // more than one link's 812, spread over many pages
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    private string DbPath => Path.Combine(_dir.Path, GatewayStore.FileName);

    private Task<GatewayStore> OpenAsync() => GatewayStore.OpenAsync(_dir.Path, _time, NullLogger.Instance, CancellationToken.None);

    public void Dispose() => _dir.Dispose();

    /// <summary>A WhatsApp session as the client saves it, with its prekeys, some used, some uploaded.</summary>
    private static async Task<List<(string Name, byte[] Value)>> PlantSessionAsync(GatewayStore store)
    {
        var secrets = new List<(string Name, byte[] Value)>();
        var values = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in new[] { "noise-key", "identity-key", "signed-prekey", "adv-secret" })
        {
            values[name] = RandomNumberGenerator.GetBytes(32);
            secrets.Add((name, values[name]));
        }
        values["signed-prekey-signature"] = RandomNumberGenerator.GetBytes(64);
        secrets.Add(("signed-prekey-signature", values["signed-prekey-signature"]));
        await store.ReplaceSecretsAsync(SecretScopes.WhatsApp, values, CancellationToken.None);

        var keys = await store.GetOrCreateUnuploadedKeysAsync(SecretScopes.WhatsApp, PreKeys, 0xFFFFFF,
            () => (RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(33)), CancellationToken.None);
        secrets.AddRange(keys.Select(k => ($"prekey {k.Id}", k.PrivateKey)));
        await store.MarkKeysUploadedAsync(SecretScopes.WhatsApp, [.. keys.Take(812).Select(k => k.Id)], CancellationToken.None);
        for (uint id = 1; id <= 50; id++)
        {
            await store.RemoveKeyAsync(SecretScopes.WhatsApp, id, CancellationToken.None); // used one-time prekeys
        }
        return secrets;
    }

    /// <summary>Platform enrollment, a setting and queued items: what only a factory reset forgets.</summary>
    private static async Task<List<(string Name, byte[] Value)>> PlantPlatformDataAsync(GatewayStore store)
    {
        var token = RandomNumberGenerator.GetBytes(48);
        await store.ReplaceSecretsAsync(SecretScopes.Platform, new Dictionary<string, byte[]> { ["token"] = token }, CancellationToken.None);
        var setting = "gateway-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        await store.SetSettingAsync("gateway-id", setting, CancellationToken.None);
        var payload = RandomNumberGenerator.GetBytes(300);
        await store.EnqueueAsync("outbox", "message-1", payload, CancellationToken.None);
        return [("platform token", token), ("setting", Encoding.UTF8.GetBytes(setting)), ("queued payload", payload)];
    }

    /// <summary>A database once moved aside (with its -wal and -shm) and the provisioned enrollment code, beside the database.</summary>
    private string[] PlantFilesBesideTheDatabase()
    {
        string[] files =
        [
            DbPath + ".bad-20261101T080000Z", DbPath + ".bad-20261101T080000Z-wal", DbPath + ".bad-20261101T080000Z-shm",
            Path.Combine(_dir.Path, GatewayStore.EnrollmentCodeFileName),
        ];
        foreach (var file in files)
        {
            File.WriteAllText(file, "planted");
        }
        return files;
    }

    [Fact]
    public async Task Open_ConnectionHasSecureDeleteOn()
    {
        await using var store = await OpenAsync();

        Assert.Equal(1, await store.ReadPragmaAsync("secure_delete", CancellationToken.None));
    }

    [Fact]
    public async Task Relink_ManyPrekeys_NoSessionByteInAnyFile_PlatformDataKept()
    {
        List<(string Name, byte[] Value)> session, platform;
        await using (var store = await OpenAsync())
        {
            session = await PlantSessionAsync(store);
            platform = await PlantPlatformDataAsync(store);
            Assert.Empty(FileScan.Missing(_dir.Path, [.. session, .. platform])); // the search sees what is there
            var beside = PlantFilesBesideTheDatabase();

            await new StoreResetParticipant(store).WipeAsync(ResetKind.Relink, CancellationToken.None);

            Assert.Empty(FileScan.Find(_dir.Path, session)); // while open: the db, -wal and -shm
            Assert.Empty(FileScan.Missing(_dir.Path, platform));
            Assert.Empty(await store.GetSecretsAsync(SecretScopes.WhatsApp, CancellationToken.None));
            Assert.Null(await store.GetKeyAsync(SecretScopes.WhatsApp, 1000, CancellationToken.None));
            Assert.All(beside, f => Assert.True(File.Exists(f), f)); // a relink keeps the enrollment
        }
        Assert.Empty(FileScan.Find(_dir.Path, session));
        Assert.Empty(FileScan.Missing(_dir.Path, platform));

        // VACUUM kept the header (application_id, user_version): the file opens as ours, data intact.
        await using (var store = await OpenAsync())
        {
            Assert.Null(store.MovedAsideTo);
            Assert.Equal(Migration.LatestVersion, store.SchemaVersion);
            Assert.Equal(platform[0].Value, (await store.GetSecretsAsync(SecretScopes.Platform, CancellationToken.None))["token"]);
            Assert.Equal(1, (await store.GetQueueDepthsAsync(CancellationToken.None))["outbox"]);
        }
    }

    [Fact]
    public async Task FactoryReset_ManyPrekeys_NothingWipedInAnyFile_JournalKept()
    {
        List<(string Name, byte[] Value)> everything;
        var intent = new ResetIntent(ResetKind.FactoryReset, true, "test", _time.GetUtcNow());
        await using (var store = await OpenAsync())
        {
            everything = [.. await PlantSessionAsync(store), .. await PlantPlatformDataAsync(store)];
            await store.SetPendingResetAsync(intent, CancellationToken.None);
            var beside = PlantFilesBesideTheDatabase();

            await new StoreResetParticipant(store).WipeAsync(ResetKind.FactoryReset, CancellationToken.None);

            Assert.All(beside, f => Assert.False(File.Exists(f), f));

            Assert.Empty(FileScan.Find(_dir.Path, everything));
            Assert.Empty(await store.GetSecretsAsync(SecretScopes.Platform, CancellationToken.None));
            Assert.Empty(await store.GetQueueDepthsAsync(CancellationToken.None));
            Assert.Null(await store.GetSettingAsync("gateway-id", CancellationToken.None));
            // The journal outlives the wipe: the coordinator clears it once every participant has wiped.
            Assert.Equal(intent, await store.GetPendingResetAsync(CancellationToken.None));
        }
        Assert.Empty(FileScan.Find(_dir.Path, everything));
    }

    [Fact]
    public async Task Wipe_RowsDeletedWithoutSecureDelete_LeaveNoBytesEither()
    {
        // An older firmware deleted used prekeys without secure_delete: their bytes sit in free pages.
        List<(string Name, byte[] Value)> session;
        await using (var store = await OpenAsync())
        {
            session = await PlantSessionAsync(store);
        }
        await using (var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA secure_delete = OFF; DELETE FROM numbered_keys WHERE id <= 1500; PRAGMA wal_checkpoint(TRUNCATE);";
            await command.ExecuteNonQueryAsync();
        }
        var freed = session.Where(s => s.Name.StartsWith("prekey ", StringComparison.Ordinal) && uint.Parse(s.Name[7..], System.Globalization.CultureInfo.InvariantCulture) <= 1500).ToList();
        Assert.NotEmpty(FileScan.Find(_dir.Path, freed)); // the leftovers the issue found

        await using (var store = await OpenAsync())
        {
            await store.WipeSecretsAsync(SecretScopes.WhatsApp, CancellationToken.None);
            Assert.Empty(FileScan.Find(_dir.Path, session));
        }
        Assert.Empty(FileScan.Find(_dir.Path, session));
    }

    [Fact]
    public async Task Wipe_TableAddedLaterWithScopeColumn_IsWipedWithItsScope()
    {
        await using (var store = await OpenAsync())
        {
        }
        // What messaging might add: a table of Signal sessions keyed by scope, unknown to the wipe code.
        var whatsAppRecord = RandomNumberGenerator.GetBytes(64);
        var platformRecord = RandomNumberGenerator.GetBytes(64);
        await using (var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE later_sessions (scope TEXT NOT NULL, peer TEXT NOT NULL, record BLOB NOT NULL) STRICT; " +
                                  "INSERT INTO later_sessions VALUES ('whatsapp', 'a', $w), ('platform', 'b', $p);";
            command.Parameters.AddWithValue("$w", whatsAppRecord);
            command.Parameters.AddWithValue("$p", platformRecord);
            await command.ExecuteNonQueryAsync();
        }

        await using (var store = await OpenAsync())
        {
            await store.WipeSecretsAsync(SecretScopes.WhatsApp, CancellationToken.None);
            Assert.Empty(FileScan.Find(_dir.Path, [("whatsapp session", whatsAppRecord)]));
            Assert.Empty(FileScan.Missing(_dir.Path, [("platform session", platformRecord)]));

            await store.WipeEverythingAsync(CancellationToken.None);
            Assert.Empty(FileScan.Find(_dir.Path, [("platform session", platformRecord)]));
        }
    }

    [Fact]
    public async Task PendingReset_SurvivesReopen_AndClears()
    {
        var intent = new ResetIntent(ResetKind.Relink, false, "button", _time.GetUtcNow());
        await using (var store = await OpenAsync())
        {
            Assert.Null(await store.GetPendingResetAsync(CancellationToken.None));
            await store.SetPendingResetAsync(intent, CancellationToken.None);
        }
        await using (var store = await OpenAsync())
        {
            var journal = new StoreResetJournal(store);
            Assert.Equal(intent, await journal.ReadAsync(CancellationToken.None));
            await journal.ClearAsync(CancellationToken.None);
            Assert.Null(await journal.ReadAsync(CancellationToken.None));
        }
    }

    [Fact]
    public async Task PendingReset_RelinkRecordedOverAPendingFactoryReset_StaysFactory()
    {
        await using var store = await OpenAsync();
        await store.SetPendingResetAsync(new ResetIntent(ResetKind.FactoryReset, true, "button", _time.GetUtcNow()), CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(5));
        var relink = new ResetIntent(ResetKind.Relink, false, "wasms-gateway reset", _time.GetUtcNow());

        await store.SetPendingResetAsync(relink, CancellationToken.None);

        Assert.Equal(relink with { Kind = ResetKind.FactoryReset }, await store.GetPendingResetAsync(CancellationToken.None));

        // A relink over a relink, or a factory reset over a relink, records the new one.
        await store.ClearPendingResetAsync(CancellationToken.None);
        await store.SetPendingResetAsync(relink, CancellationToken.None);
        var factory = new ResetIntent(ResetKind.FactoryReset, false, "button", _time.GetUtcNow());
        await store.SetPendingResetAsync(factory, CancellationToken.None);
        Assert.Equal(factory, await store.GetPendingResetAsync(CancellationToken.None));
    }
}
