using WaSms.WhatsApp.Store;
using WaSms.WhatsApp.Crypto;

namespace WaSms.Testing.Contracts;

/// <summary>
/// What every <see cref="IPreKeyStore"/> must do, run against each implementation (in memory,
/// SQLite): keys are saved before they are offered, offered until confirmed, and ids count up
/// from 1 without reuse, so a crash before the server's answer uploads the same ids again.
/// </summary>
public abstract class PreKeyStoreContract : StoreContract<IPreKeyStore>
{
    [Fact]
    public async Task GetOrCreate_MakesKeysFromIdOne_AndOffersTheSameOnesAgain()
    {
        var first = await Store.GetOrCreateUnuploadedAsync(5, CancellationToken.None);
        var again = await Store.GetOrCreateUnuploadedAsync(7, CancellationToken.None);

        Assert.Equal([1u, 2, 3, 4, 5], first.Select(k => k.Id));
        Assert.Equal([1u, 2, 3, 4, 5, 6, 7], again.Select(k => k.Id));
        for (var i = 0; i < first.Count; i++)
        {
            Assert.Equal(first[i].KeyPair.PrivateKey.ToArray(), again[i].KeyPair.PrivateKey.ToArray());
        }
        foreach (var key in again)
        {
            // Each public half belongs to its private half.
            Assert.Equal(Curve25519KeyPair.FromPrivateKey(key.KeyPair.PrivateKey.Span).PublicKey.ToArray(), key.KeyPair.PublicKey.ToArray());
        }
        Assert.Equal(7, again.Select(k => Convert.ToHexString(k.KeyPair.PrivateKey.Span)).Distinct().Count());
        Assert.Equal(0, await Store.CountUploadedAsync(CancellationToken.None));
    }

    [Fact]
    public async Task GetOrCreate_Zero_MakesNothing()
    {
        Assert.Empty(await Store.GetOrCreateUnuploadedAsync(0, CancellationToken.None));
        Assert.Equal([1u], (await Store.GetOrCreateUnuploadedAsync(1, CancellationToken.None)).Select(k => k.Id));
    }

    [Fact]
    public async Task MarkUploaded_CountsThem_AndTheyAreNotOfferedAgain()
    {
        var batch = await Store.GetOrCreateUnuploadedAsync(3, CancellationToken.None);

        await Store.MarkUploadedAsync([batch[0].Id, batch[1].Id], CancellationToken.None);

        Assert.Equal(2, await Store.CountUploadedAsync(CancellationToken.None));
        var next = await Store.GetOrCreateUnuploadedAsync(2, CancellationToken.None);
        Assert.Equal([3u, 4], next.Select(k => k.Id));
        Assert.Equal(batch[2].KeyPair.PrivateKey.ToArray(), next[0].KeyPair.PrivateKey.ToArray());
    }

    [Fact]
    public async Task MarkUploaded_UnknownId_ChangesNothing()
    {
        await Store.GetOrCreateUnuploadedAsync(2, CancellationToken.None);

        await Store.MarkUploadedAsync([99u], CancellationToken.None);

        Assert.Equal(0, await Store.CountUploadedAsync(CancellationToken.None));
        Assert.Null(await Store.GetAsync(99, CancellationToken.None));
    }

    [Fact]
    public async Task Get_FindsUploadedAndNotUploaded_NullForUnknown()
    {
        var batch = await Store.GetOrCreateUnuploadedAsync(2, CancellationToken.None);
        await Store.MarkUploadedAsync([batch[0].Id], CancellationToken.None);

        var uploaded = await Store.GetAsync(batch[0].Id, CancellationToken.None);
        var pending = await Store.GetAsync(batch[1].Id, CancellationToken.None);

        Assert.Equal(batch[0].KeyPair.PrivateKey.ToArray(), uploaded?.KeyPair.PrivateKey.ToArray());
        Assert.Equal(batch[0].KeyPair.PublicKey.ToArray(), uploaded?.KeyPair.PublicKey.ToArray());
        Assert.Equal(batch[1].KeyPair.PrivateKey.ToArray(), pending?.KeyPair.PrivateKey.ToArray());
        Assert.Null(await Store.GetAsync(3, CancellationToken.None));
    }

    [Fact]
    public async Task Remove_ForgetsTheKey_AndIdsKeepCounting()
    {
        var batch = await Store.GetOrCreateUnuploadedAsync(3, CancellationToken.None);
        await Store.MarkUploadedAsync([.. batch.Select(k => k.Id)], CancellationToken.None);

        await Store.RemoveAsync(3, CancellationToken.None);

        Assert.Null(await Store.GetAsync(3, CancellationToken.None));
        Assert.Equal(2, await Store.CountUploadedAsync(CancellationToken.None));
        Assert.Equal(batch[0].KeyPair.PrivateKey.ToArray(), (await Store.GetAsync(1, CancellationToken.None))?.KeyPair.PrivateKey.ToArray());
        // Ids count on past a removed key (they start again at 1 only after 2^24 - 1 or a wipe).
        Assert.Equal([4u, 5], (await Store.GetOrCreateUnuploadedAsync(2, CancellationToken.None)).Select(k => k.Id));
    }
}
