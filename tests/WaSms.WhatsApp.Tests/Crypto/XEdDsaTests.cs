using System.Security.Cryptography;
using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Socket;
using WaSms.WhatsApp.Tests.Socket.Vectors;
using BcEd25519 = Org.BouncyCastle.Math.EC.Rfc8032.Ed25519;

namespace WaSms.WhatsApp.Tests.Crypto;

public sealed class XEdDsaTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex);

    [Fact]
    public void Sign_SameRandomAsCurve25519Js_GivesTheSameBytes()
    {
        var signature = XEdDsa.Sign(Hex(BaileysNoiseVectors.RootPrivate), Hex(BaileysNoiseVectors.XEdDsaMessage), Hex(BaileysNoiseVectors.XEdDsaRandom));

        Assert.Equal(BaileysNoiseVectors.XEdDsaRootSignatureWithRandom, Convert.ToHexStringLower(signature));
    }

    [Fact]
    public void Verify_Curve25519JsSignatures_AreAccepted()
    {
        Assert.True(XEdDsa.Verify(Hex(BaileysNoiseVectors.RootPublic), Hex(BaileysNoiseVectors.XEdDsaMessage), Hex(BaileysNoiseVectors.XEdDsaRootSignatureWithRandom)));
        Assert.True(XEdDsa.Verify(Hex(BaileysNoiseVectors.IntermediatePublic), Hex(BaileysNoiseVectors.XEdDsaMessage), Hex(BaileysNoiseVectors.XEdDsaIntermediateSignatureDeterministic)));
    }

    [Fact]
    public void Verify_WrongKeyOrMessage_IsRejected()
    {
        var message = Hex(BaileysNoiseVectors.XEdDsaMessage);
        var signature = Hex(BaileysNoiseVectors.XEdDsaRootSignatureWithRandom);
        Assert.False(XEdDsa.Verify(Hex(BaileysNoiseVectors.IntermediatePublic), message, signature));
        message[0] ^= 1;
        Assert.False(XEdDsa.Verify(Hex(BaileysNoiseVectors.RootPublic), message, signature));
    }

    [Fact]
    public void SignThenVerify_ManyRandomKeys_RoundTripsAndRejectsTampering()
    {
        for (var i = 0; i < 32; i++)
        {
            var key = Curve25519KeyPair.Generate();
            var message = RandomNumberGenerator.GetBytes(i * 7);
            var signature = XEdDsa.Sign(key.PrivateKey.Span, message);
            Assert.True(XEdDsa.Verify(key.PublicKey.Span, message, signature), $"round {i}");

            var tampered = (byte[])signature.Clone();
            tampered[i % 64] ^= 0x10;
            Assert.False(XEdDsa.Verify(key.PublicKey.Span, message, tampered), $"tampered round {i}");
        }
    }

    [Fact]
    public void Sign_UnclampedPrivateKey_VerifiesUnderItsPublicKey()
    {
        var unclamped = RandomNumberGenerator.GetBytes(32);
        unclamped[0] |= 7;
        unclamped[31] |= 0x80;
        var publicKey = Curve25519.GetPublicKey(unclamped);

        Assert.True(XEdDsa.Verify(publicKey, "m"u8, XEdDsa.Sign(unclamped, "m"u8)));
    }

    [Fact]
    public void ScalarMultBaseEncoded_AgreesWithBouncyCastleEd25519()
    {
        for (var i = 0; i < 16; i++)
        {
            var seed = RandomNumberGenerator.GetBytes(32);
            var expected = new byte[32];
            BcEd25519.GeneratePublicKey(seed, expected);

            var scalar = SHA512.HashData(seed).AsSpan(0, 32).ToArray();
            Curve25519.Clamp(scalar);
            var actual = Edwards25519.ScalarMultBaseEncoded(scalar);

            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Verify_MalformedInput_ReturnsFalse()
    {
        var key = Curve25519KeyPair.Generate();
        Assert.False(XEdDsa.Verify(key.PublicKey.Span[..31], "m"u8, new byte[64]));
        Assert.False(XEdDsa.Verify(key.PublicKey.Span, "m"u8, new byte[63]));
        Assert.False(XEdDsa.Verify(key.PublicKey.Span, "m"u8, new byte[64]));

        // u = p − 1 = −1 has no Edwards twin.
        var minusOne = Convert.FromHexString("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
        Assert.False(XEdDsa.Verify(minusOne, "m"u8, new byte[64]));
    }

    [Fact]
    public void Verify_WhatsAppRootKey_MapsToAnEdwardsKeyWithoutError()
    {
        Assert.False(XEdDsa.Verify(CertificateTrust.WhatsApp.RootPublicKey.Span, "m"u8, new byte[64]));
    }
}
