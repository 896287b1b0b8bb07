using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Store;

namespace WaSms.Testing.Contracts;

/// <summary>
/// What every <see cref="IWaCredentialStore"/> must do, run against each implementation (in memory,
/// SQLite).
/// </summary>
public abstract class CredentialStoreContract : StoreContract<IWaCredentialStore>
{
    [Fact]
    public async Task Load_NothingSaved_IsNull()
    {
        Assert.Null(await Store.LoadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task SaveThenLoad_Paired_GivesBackEveryField()
    {
        var saved = Paired();

        await Store.SaveAsync(saved, CancellationToken.None);
        var loaded = await Store.LoadAsync(CancellationToken.None);

        AssertSame(saved, loaded);
        Assert.True(loaded!.IsPaired);
    }

    [Fact]
    public async Task SaveThenLoad_Unpaired_HasNoAccount()
    {
        var saved = WaCredentials.Generate();

        await Store.SaveAsync(saved, CancellationToken.None);
        var loaded = await Store.LoadAsync(CancellationToken.None);

        AssertSame(saved, loaded);
        Assert.False(loaded!.IsPaired);
    }

    [Fact]
    public async Task Save_ReplacesTheWholeSet_NothingOfTheOldOneStays()
    {
        await Store.SaveAsync(Paired(), CancellationToken.None);
        var fresh = WaCredentials.Generate();

        await Store.SaveAsync(fresh, CancellationToken.None);
        var loaded = await Store.LoadAsync(CancellationToken.None);

        // A relink saves unpaired credentials over the paired ones: no jid, account or platform may survive.
        AssertSame(fresh, loaded);
    }

    private static WaCredentials Paired() => WaCredentials.Generate() with
    {
        Jid = Jid.Parse("15551234567:3@s.whatsapp.net"),
        Lid = Jid.Parse("123456789:3@lid"),
        Account = new byte[] { 1, 2, 3 },
        AccountSignatureKey = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(),
        Platform = "android",
        BusinessName = "Corner Shop",
    };

    private static void AssertSame(WaCredentials expected, WaCredentials? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.NoiseKey.PrivateKey.ToArray(), actual.NoiseKey.PrivateKey.ToArray());
        Assert.Equal(expected.NoiseKey.PublicKey.ToArray(), actual.NoiseKey.PublicKey.ToArray());
        Assert.Equal(expected.IdentityKey.PrivateKey.ToArray(), actual.IdentityKey.PrivateKey.ToArray());
        Assert.Equal(expected.IdentityKey.PublicKey.ToArray(), actual.IdentityKey.PublicKey.ToArray());
        Assert.Equal(expected.SignedPreKey.PrivateKey.ToArray(), actual.SignedPreKey.PrivateKey.ToArray());
        Assert.Equal(expected.SignedPreKey.PublicKey.ToArray(), actual.SignedPreKey.PublicKey.ToArray());
        Assert.Equal(expected.SignedPreKeyId, actual.SignedPreKeyId);
        Assert.Equal(expected.SignedPreKeySignature.ToArray(), actual.SignedPreKeySignature.ToArray());
        Assert.Equal(expected.RegistrationId, actual.RegistrationId);
        Assert.Equal(expected.AdvSecret.ToArray(), actual.AdvSecret.ToArray());
        Assert.Equal(expected.Jid?.ToString(), actual.Jid?.ToString());
        Assert.Equal(expected.Lid?.ToString(), actual.Lid?.ToString());
        Assert.Equal(expected.Account.ToArray(), actual.Account.ToArray());
        Assert.Equal(expected.AccountSignatureKey.ToArray(), actual.AccountSignatureKey.ToArray());
        Assert.Equal(expected.Platform, actual.Platform);
        Assert.Equal(expected.BusinessName, actual.BusinessName);
    }
}
