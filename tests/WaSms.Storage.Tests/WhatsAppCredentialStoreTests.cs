using Microsoft.Extensions.Logging.Abstractions;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Store;

namespace WaSms.Storage.Tests;

public sealed class WhatsAppCredentialStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task SaveThenLoad_InANewProcessLikeOpen_GivesTheSameCredentials()
    {
        var paired = WaCredentials.Generate() with
        {
            Jid = Jid.Parse("15551234567:3@s.whatsapp.net"),
            Lid = Jid.Parse("123456789:3@lid"),
            Account = new byte[] { 1, 2, 3 },
            AccountSignatureKey = new byte[32],
            Platform = "android",
        };
        await using (var store = await GatewayStore.OpenAsync(_dir.Path, TimeProvider.System, NullLogger.Instance, CancellationToken.None))
        {
            var credentials = new WhatsAppCredentialStore(store);
            Assert.Null(await credentials.LoadAsync(CancellationToken.None));
            await credentials.SaveAsync(paired, CancellationToken.None);
        }

        await using var reopened = await GatewayStore.OpenAsync(_dir.Path, TimeProvider.System, NullLogger.Instance, CancellationToken.None);
        var loaded = await new WhatsAppCredentialStore(reopened).LoadAsync(CancellationToken.None);

        Assert.NotNull(loaded);
        Assert.Equal(paired.NoiseKey.PublicKey.ToArray(), loaded.NoiseKey.PublicKey.ToArray());
        Assert.Equal(paired.IdentityKey.PrivateKey.ToArray(), loaded.IdentityKey.PrivateKey.ToArray());
        Assert.Equal(paired.SignedPreKey.PublicKey.ToArray(), loaded.SignedPreKey.PublicKey.ToArray());
        Assert.Equal(paired.SignedPreKeyId, loaded.SignedPreKeyId);
        Assert.Equal(paired.SignedPreKeySignature.ToArray(), loaded.SignedPreKeySignature.ToArray());
        Assert.Equal(paired.RegistrationId, loaded.RegistrationId);
        Assert.Equal(paired.AdvSecret.ToArray(), loaded.AdvSecret.ToArray());
        Assert.Equal("15551234567:3@s.whatsapp.net", loaded.Jid?.ToString());
        Assert.Equal("123456789:3@lid", loaded.Lid?.ToString());
        Assert.Equal(new byte[] { 1, 2, 3 }, loaded.Account.ToArray());
        Assert.Equal("android", loaded.Platform);
        Assert.True(loaded.IsPaired);
    }

    [Fact]
    public async Task Load_IncompleteSet_SaysWhatIsMissing()
    {
        await using var store = await GatewayStore.OpenAsync(_dir.Path, TimeProvider.System, NullLogger.Instance, CancellationToken.None);
        await store.ReplaceSecretsAsync(SecretScopes.WhatsApp, new Dictionary<string, byte[]> { ["noise-key"] = new byte[32] }, CancellationToken.None);

        var error = await Assert.ThrowsAsync<StoreException>(() => new WhatsAppCredentialStore(store).LoadAsync(CancellationToken.None));

        Assert.Contains("identity-key", error.Message, StringComparison.Ordinal);
    }
}
