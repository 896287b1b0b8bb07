using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaSms.WhatsApp.Store;

namespace WaSms.Storage.Tests;

/// <summary>One-time prekeys in SQLite: saved before upload, confirmed after, ids never reused, wiped with the session.</summary>
public sealed class NumberedKeyTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    private Task<GatewayStore> OpenAsync() => GatewayStore.OpenAsync(_dir.Path, _time, NullLogger.Instance, CancellationToken.None);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Unconfirmed_SurviveReopen_AndComeBackWithTheSameIdsAndKeys()
    {
        IReadOnlyList<PreKey> first;
        await using (var store = await OpenAsync())
        {
            first = await new WhatsAppPreKeyStore(store).GetOrCreateUnuploadedAsync(5, CancellationToken.None);
            Assert.Equal([1u, 2, 3, 4, 5], first.Select(k => k.Id));
        }

        await using (var store = await OpenAsync())
        {
            var again = await new WhatsAppPreKeyStore(store).GetOrCreateUnuploadedAsync(7, CancellationToken.None);
            Assert.Equal([1u, 2, 3, 4, 5, 6, 7], again.Select(k => k.Id));
            Assert.Equal(first[4].KeyPair.PublicKey.ToArray(), again[4].KeyPair.PublicKey.ToArray());
            // The stored public half is the private key's (read back without curve math).
            Assert.Equal(WaSms.WhatsApp.Crypto.Curve25519KeyPair.FromPrivateKey(again[6].KeyPair.PrivateKey.Span).PublicKey.ToArray(), again[6].KeyPair.PublicKey.ToArray());
        }
    }

    [Fact]
    public async Task Confirmed_AreCounted_NotOfferedAgain_AndIdsKeepCountingAfterRemoval()
    {
        await using var store = await OpenAsync();
        var keys = new WhatsAppPreKeyStore(store);
        var batch = await keys.GetOrCreateUnuploadedAsync(3, CancellationToken.None);
        await keys.MarkUploadedAsync([.. batch.Select(k => k.Id)], CancellationToken.None);
        Assert.Equal(3, await keys.CountUploadedAsync(CancellationToken.None));

        await keys.RemoveAsync(3, CancellationToken.None);
        Assert.Null(await keys.GetAsync(3, CancellationToken.None));
        Assert.Equal(batch[0].KeyPair.PrivateKey.ToArray(), (await keys.GetAsync(1, CancellationToken.None))!.KeyPair.PrivateKey.ToArray());

        var next = await keys.GetOrCreateUnuploadedAsync(2, CancellationToken.None);
        Assert.Equal([4u, 5], next.Select(k => k.Id));
        Assert.Equal(2, await keys.CountUploadedAsync(CancellationToken.None));
    }

    [Fact]
    public async Task WipeOfTheScope_ForgetsKeysAndRestartsIds()
    {
        await using var store = await OpenAsync();
        var keys = new WhatsAppPreKeyStore(store);
        var batch = await keys.GetOrCreateUnuploadedAsync(4, CancellationToken.None);
        await keys.MarkUploadedAsync([.. batch.Select(k => k.Id)], CancellationToken.None);

        await store.WipeSecretsAsync(SecretScopes.WhatsApp, CancellationToken.None);

        Assert.Equal(0, await keys.CountUploadedAsync(CancellationToken.None));
        Assert.Null(await keys.GetAsync(1, CancellationToken.None));
        Assert.Equal([1u], (await keys.GetOrCreateUnuploadedAsync(1, CancellationToken.None)).Select(k => k.Id));
    }

    [Fact]
    public async Task Ids_WrapToOneAfterTheMaximum()
    {
        await using var store = await OpenAsync();
        var made = 0;
        (byte[], byte[]) NewKey() => ([(byte)++made], [(byte)made]);

        var first = await store.GetOrCreateUnuploadedKeysAsync("test", 2, 2, NewKey, CancellationToken.None);
        await store.MarkKeysUploadedAsync("test", [1, 2], CancellationToken.None);
        var wrapped = await store.GetOrCreateUnuploadedKeysAsync("test", 1, 2, NewKey, CancellationToken.None);

        Assert.Equal([1u, 2], first.Select(k => k.Id));
        // Past the maximum the ids start at 1 again; the new key replaces the old one under that id.
        var key = Assert.Single(wrapped);
        Assert.Equal(1u, key.Id);
        var stored = await store.GetKeyAsync("test", 1, CancellationToken.None);
        Assert.Equal(new byte[] { 3 }, stored!.PrivateKey);
    }
}
