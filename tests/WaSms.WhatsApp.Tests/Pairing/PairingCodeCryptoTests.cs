using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Pairing;

namespace WaSms.WhatsApp.Tests.Pairing;

/// <summary>Pair-code crypto: known answers from Python/OpenSSL, and the companion ↔ primary round trip (docs/whatsapp.md §9).</summary>
public sealed class PairingCodeCryptoTests
{
    [Fact]
    public void Constants_AsWhatsmeow()
    {
        Assert.Equal(131072, PairingCodeCrypto.Pbkdf2Iterations);
        Assert.Equal(80, PairingCodeCrypto.WrappedKeySize);
        Assert.Equal(32 + 12 + 96 + 16, PairingCodeCrypto.WrappedBundleSize);
    }

    [Fact]
    public void WrapEphemeralKey_KnownAnswer()
    {
        // Python hashlib.pbkdf2_hmac('sha256', b"ABCD1234", salt, 131072, 32), then `openssl enc -aes-256-ctr -nopad`.
        var salt = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var iv = Enumerable.Range(100, 16).Select(i => (byte)i).ToArray();
        var pub = Enumerable.Range(200, 32).Select(i => (byte)i).ToArray();

        Assert.Equal("b04d4d0e43ffa6d1a3b2226d4ee58ba2900a470c09bcf39fb5257512a55c08bc", Convert.ToHexStringLower(PairingCodeCrypto.DeriveCodeKey("ABCD-1234", salt)));
        var wrapped = PairingCodeCrypto.WrapEphemeralKey("ABCD1234", pub, salt, iv);
        Assert.Equal(salt, wrapped[..32]);
        Assert.Equal(iv, wrapped[32..48]);
        Assert.Equal("3330bdc270434ffd578c83945def8293ab794b8601874455495d58d34140a83a", Convert.ToHexStringLower(wrapped[48..]));
        Assert.Equal(pub, PairingCodeCrypto.UnwrapEphemeralKey("abcd-1234", wrapped));
    }

    [Fact]
    public void AesCtr_CarriesIntoTheUpperHalfOfTheCounter()
    {
        // openssl enc -aes-256-ctr -K 000102…1f -iv 0000000000000000ffffffffffffffff, 40 zero bytes.
        var key = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        byte[] iv = [0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
        var output = new byte[40];
        PairingCodeCrypto.AesCtr(key, iv, new byte[40], output);
        Assert.Equal("a6fbdb5cfde07d1b58fd362177bcffdf511dd5ef9a682b7da49f91c86c4f7ac340c53cef92ef2d64", Convert.ToHexStringLower(output));
    }

    [Fact]
    public void CompanionAndPrimary_AgreeOnTheAdvSecret()
    {
        var (companionAdv, primaryAdv) = RunExchange(companionCode: "ABCD1234", primaryCode: "ABCD1234");
        Assert.Equal(companionAdv, primaryAdv);
    }

    [Fact]
    public void WrongCodeOnThePhone_KeyBundleMismatch()
    {
        var ex = Assert.Throws<PairingCodeException>(() => RunExchange(companionCode: "ABCD1234", primaryCode: "ABCD1235"));
        Assert.Equal(PairingCodeError.KeyBundleMismatch, ex.Error);
    }

    [Fact]
    public void ShortWrappedKeyOrBundle_Malformed()
    {
        Assert.Equal(PairingCodeError.Malformed, Assert.Throws<PairingCodeException>(() => PairingCodeCrypto.UnwrapEphemeralKey("ABCD1234", new byte[79])).Error);
        Assert.Equal(PairingCodeError.Malformed, Assert.Throws<PairingCodeException>(() => PairingCodeCrypto.OpenKeyBundle(new byte[32], new byte[100])).Error);
    }

    /// <summary>Both sides of docs/whatsapp.md §9.2 with independent state; returns (companion's ADV secret, primary's ADV secret).</summary>
    private static (byte[] Companion, byte[] Primary) RunExchange(string companionCode, string primaryCode)
    {
        var companionIdentity = Curve25519KeyPair.Generate();
        var primaryIdentity = Curve25519KeyPair.Generate();

        // Companion: companion_hello.
        var companionEphemeral = Curve25519KeyPair.Generate();
        var hello = PairingCodeCrypto.WrapEphemeralKey(companionCode, companionEphemeral.PublicKey.Span);

        // Primary: primary_hello with the code the user typed.
        var companionEphemeralSeen = PairingCodeCrypto.UnwrapEphemeralKey(primaryCode, hello);
        var primaryEphemeral = Curve25519KeyPair.Generate();
        var primaryHello = PairingCodeCrypto.WrapEphemeralKey(primaryCode, primaryEphemeral.PublicKey.Span);

        // Companion: companion_finish.
        var primaryEphemeralSeen = PairingCodeCrypto.UnwrapEphemeralKey(companionCode, primaryHello);
        var companionShared = PairingCodeCrypto.Agree(companionEphemeral.PrivateKey.Span, primaryEphemeralSeen);
        var advRandom = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var bundle = PairingCodeCrypto.SealKeyBundle(companionShared, companionIdentity.PublicKey.Span, primaryIdentity.PublicKey.Span, advRandom);
        Assert.Equal(PairingCodeCrypto.WrappedBundleSize, bundle.Length);
        var companionAdv = PairingCodeCrypto.DeriveAdvSecret(
            companionShared, PairingCodeCrypto.Agree(companionIdentity.PrivateKey.Span, primaryIdentity.PublicKey.Span), advRandom);

        // Primary: open the bundle, derive the same secret.
        var primaryShared = PairingCodeCrypto.Agree(primaryEphemeral.PrivateKey.Span, companionEphemeralSeen);
        var opened = PairingCodeCrypto.OpenKeyBundle(primaryShared, bundle);
        Assert.Equal(companionIdentity.PublicKey.ToArray(), opened.CompanionIdentity);
        Assert.Equal(primaryIdentity.PublicKey.ToArray(), opened.PrimaryIdentity);
        Assert.Equal(advRandom, opened.AdvRandom);
        var primaryAdv = PairingCodeCrypto.DeriveAdvSecret(
            primaryShared, PairingCodeCrypto.Agree(primaryIdentity.PrivateKey.Span, opened.CompanionIdentity), opened.AdvRandom);
        return (companionAdv, primaryAdv);
    }
}
