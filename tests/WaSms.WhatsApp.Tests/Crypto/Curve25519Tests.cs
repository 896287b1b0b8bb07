using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Tests.Socket.Vectors;

namespace WaSms.WhatsApp.Tests.Crypto;

public sealed class Curve25519Tests
{
    // RFC 7748 §6.1.
    private const string AlicePrivate = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
    private const string AlicePublic = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
    private const string BobPrivate = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
    private const string BobPublic = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
    private const string Shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

    [Fact]
    public void GetPublicKey_Rfc7748Vectors_Match()
    {
        Assert.Equal(AlicePublic, Convert.ToHexStringLower(Curve25519.GetPublicKey(Convert.FromHexString(AlicePrivate))));
        Assert.Equal(BobPublic, Convert.ToHexStringLower(Curve25519.GetPublicKey(Convert.FromHexString(BobPrivate))));
    }

    [Fact]
    public void TryCalculateAgreement_Rfc7748Vectors_BothSidesAgree()
    {
        var a = new byte[32];
        var b = new byte[32];
        Assert.True(Curve25519.TryCalculateAgreement(Convert.FromHexString(AlicePrivate), Convert.FromHexString(BobPublic), a));
        Assert.True(Curve25519.TryCalculateAgreement(Convert.FromHexString(BobPrivate), Convert.FromHexString(AlicePublic), b));
        Assert.Equal(Shared, Convert.ToHexStringLower(a));
        Assert.Equal(Shared, Convert.ToHexStringLower(b));
    }

    [Fact]
    public void TryCalculateAgreement_LowOrderPoint_ReturnsFalse()
    {
        var secret = new byte[32];
        Assert.False(Curve25519.TryCalculateAgreement(Convert.FromHexString(AlicePrivate), new byte[32], secret));
    }

    [Fact]
    public void FromPrivateKey_UnclampedNodeKeys_GiveNodesPublicKeys()
    {
        Assert.Equal(BaileysNoiseVectors.ClientEphemeralPublic, Convert.ToHexStringLower(Curve25519KeyPair.FromPrivateKey(Convert.FromHexString(BaileysNoiseVectors.ClientEphemeralPrivate)).PublicKey.Span));
        Assert.Equal(BaileysNoiseVectors.ServerStaticPublic, Convert.ToHexStringLower(Curve25519KeyPair.FromPrivateKey(Convert.FromHexString(BaileysNoiseVectors.ServerStaticPrivate)).PublicKey.Span));
    }

    [Fact]
    public void FromPrivateKey_KeepsThePrivateKeyAsGiven()
    {
        var unclamped = Convert.FromHexString(BaileysNoiseVectors.RootPrivate);
        Assert.Equal(unclamped, Curve25519KeyPair.FromPrivateKey(unclamped).PrivateKey.ToArray());
    }

    [Fact]
    public void Generate_TwoPairs_AgreeOnASecret()
    {
        var a = Curve25519KeyPair.Generate();
        var b = Curve25519KeyPair.Generate();
        var ab = new byte[32];
        var ba = new byte[32];
        Assert.True(Curve25519.TryCalculateAgreement(a.PrivateKey.Span, b.PublicKey.Span, ab));
        Assert.True(Curve25519.TryCalculateAgreement(b.PrivateKey.Span, a.PublicKey.Span, ba));
        Assert.Equal(ab, ba);
    }

    [Fact]
    public void FromPrivateKey_WrongLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => Curve25519KeyPair.FromPrivateKey(new byte[31]));
    }
}
