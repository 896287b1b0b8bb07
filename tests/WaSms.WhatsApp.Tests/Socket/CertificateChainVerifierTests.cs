using Google.Protobuf;
using Microsoft.Extensions.Time.Testing;
using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Proto;
using WaSms.Emulators.WhatsApp.Socket;
using WaSms.WhatsApp.Socket;
using Details = WaSms.WhatsApp.Proto.CertChain.Types.NoiseCertificate.Types.Details;
using NoiseCertificate = WaSms.WhatsApp.Proto.CertChain.Types.NoiseCertificate;

namespace WaSms.WhatsApp.Tests.Socket;

public sealed class CertificateChainVerifierTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly Curve25519KeyPair _serverStatic = Curve25519KeyPair.Generate();
    private readonly FakeTimeProvider _clock = new(Now);

    private TestCertificateChain NewChain() => new(_serverStatic.PublicKey.Span, Now);

    private CertificateChainError Fails(TestCertificateChain chain, CertificateTrust? trust = null) => Fails(chain.ToByteArray(), trust ?? chain.Trust);

    private CertificateChainError Fails(byte[] chain, CertificateTrust trust)
    {
        var verifier = new CertificateChainVerifier(trust, _clock);
        return Assert.Throws<CertificateChainException>(() => verifier.Verify(chain, _serverStatic.PublicKey.Span)).Check;
    }

    [Fact]
    public void Verify_ValidChain_Passes()
    {
        var chain = NewChain();
        new CertificateChainVerifier(chain.Trust, _clock).Verify(chain.ToByteArray(), _serverStatic.PublicKey.Span);
    }

    [Fact]
    public void Verify_BadIntermediateSignature_FailsIntermediateSignature()
    {
        var chain = NewChain();
        chain.CorruptIntermediateSignature = true;
        Assert.Equal(CertificateChainError.IntermediateSignatureInvalid, Fails(chain));
    }

    [Fact]
    public void Verify_WrongRoot_FailsIntermediateSignature()
    {
        Assert.Equal(CertificateChainError.IntermediateSignatureInvalid, Fails(NewChain(), new CertificateTrust(Curve25519KeyPair.Generate().PublicKey.Span)));
    }

    [Fact]
    public void Verify_TestChainAgainstTheRealWhatsAppRoot_FailsIntermediateSignature()
    {
        Assert.Equal(CertificateChainError.IntermediateSignatureInvalid, Fails(NewChain(), CertificateTrust.WhatsApp));
    }

    [Fact]
    public void Verify_WrongIntermediateIssuerSerial_FailsIssuerSerial()
    {
        var chain = NewChain();
        chain.IntermediateIssuerSerial = 5;
        Assert.Equal(CertificateChainError.IntermediateIssuerSerialMismatch, Fails(chain));
    }

    [Fact]
    public void Verify_ConfiguredRootSerial_IsTheOneRequired()
    {
        var chain = NewChain();
        chain.IntermediateIssuerSerial = 5;
        new CertificateChainVerifier(new CertificateTrust(chain.Root.PublicKey.Span, rootSerial: 5), _clock).Verify(chain.ToByteArray(), _serverStatic.PublicKey.Span);
    }

    [Fact]
    public void Verify_BadLeafSignature_FailsLeafSignature()
    {
        var chain = NewChain();
        chain.CorruptLeafSignature = true;
        Assert.Equal(CertificateChainError.LeafSignatureInvalid, Fails(chain));
    }

    [Fact]
    public void Verify_WrongLeafIssuerSerial_FailsLeafIssuerSerial()
    {
        var chain = NewChain();
        chain.LeafIssuerSerial = 99;
        Assert.Equal(CertificateChainError.LeafIssuerSerialMismatch, Fails(chain));
    }

    [Fact]
    public void Verify_LeafKeyIsNotTheServerStaticKey_FailsLeafKey()
    {
        var chain = NewChain();
        chain.LeafKey = Curve25519KeyPair.Generate().PublicKey;
        Assert.Equal(CertificateChainError.LeafKeyMismatch, Fails(chain));
    }

    [Fact]
    public void Verify_IntermediateExpired_FailsIntermediateExpired()
    {
        var chain = NewChain();
        chain.IntermediateNotAfter = Now.AddSeconds(-1);
        Assert.Equal(CertificateChainError.IntermediateExpired, Fails(chain));
    }

    [Fact]
    public void Verify_IntermediateNotYetValid_FailsIntermediateNotYetValid()
    {
        var chain = NewChain();
        chain.IntermediateNotBefore = Now.AddSeconds(1);
        Assert.Equal(CertificateChainError.IntermediateNotYetValid, Fails(chain));
    }

    [Fact]
    public void Verify_LeafExpired_FailsLeafExpired()
    {
        var chain = NewChain();
        chain.LeafNotAfter = Now.AddDays(-2);
        Assert.Equal(CertificateChainError.LeafExpired, Fails(chain));
    }

    [Fact]
    public void Verify_LeafNotYetValid_FailsLeafNotYetValid()
    {
        var chain = NewChain();
        chain.LeafNotBefore = Now.AddMinutes(5);
        Assert.Equal(CertificateChainError.LeafNotYetValid, Fails(chain));
    }

    [Fact]
    public void Verify_ClockMovesPastNotAfter_ExpiresAtTheFirstMillisecondAfter()
    {
        var chain = NewChain();
        chain.LeafNotAfter = Now;
        var bytes = chain.ToByteArray();
        var verifier = new CertificateChainVerifier(chain.Trust, _clock);

        verifier.Verify(bytes, _serverStatic.PublicKey.Span);
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(CertificateChainError.LeafExpired, Assert.Throws<CertificateChainException>(() => verifier.Verify(bytes, _serverStatic.PublicKey.Span)).Check);
    }

    [Fact]
    public void Verify_MissingIntermediate_FailsMissingPart()
    {
        var full = CertChain.Parser.ParseFrom(NewChain().ToByteArray());
        var leafOnly = new CertChain { Leaf = full.Leaf }.ToByteArray();
        Assert.Equal(CertificateChainError.MissingPart, Fails(leafOnly, CertificateTrust.WhatsApp));
    }

    [Fact]
    public void Verify_ShortSignature_FailsSignatureLength()
    {
        var chain = NewChain();
        var parsed = CertChain.Parser.ParseFrom(chain.ToByteArray());
        parsed.Leaf.Signature = ByteString.CopyFrom(parsed.Leaf.Signature.Span[..63]);
        Assert.Equal(CertificateChainError.SignatureLength, Fails(parsed.ToByteArray(), chain.Trust));
    }

    [Fact]
    public void Verify_Garbage_FailsMalformed()
    {
        Assert.Equal(CertificateChainError.Malformed, Fails([0xFF, 0xFF, 0xFF], CertificateTrust.WhatsApp));
    }

    [Fact]
    public void Verify_SignedButUndecodableIntermediateDetails_FailsMalformed()
    {
        var root = Curve25519KeyPair.Generate();
        byte[] details = [0x0A, 0x05, 0x01];
        var chain = new CertChain
        {
            Intermediate = new NoiseCertificate { Details = ByteString.CopyFrom(details), Signature = ByteString.CopyFrom(XEdDsa.Sign(root.PrivateKey.Span, details)) },
            Leaf = new NoiseCertificate { Details = ByteString.CopyFrom(details), Signature = ByteString.CopyFrom(new byte[64]) },
        }.ToByteArray();
        Assert.Equal(CertificateChainError.Malformed, Fails(chain, new CertificateTrust(root.PublicKey.Span)));
    }

    [Fact]
    public void Verify_IntermediateKeyOf31Bytes_FailsIntermediateKeyLength()
    {
        var root = Curve25519KeyPair.Generate();
        var details = new Details { Serial = 1, IssuerSerial = 0, Key = ByteString.CopyFrom(new byte[31]), NotBefore = 0, NotAfter = ulong.MaxValue }.ToByteArray();
        var chain = new CertChain
        {
            Intermediate = new NoiseCertificate { Details = ByteString.CopyFrom(details), Signature = ByteString.CopyFrom(XEdDsa.Sign(root.PrivateKey.Span, details)) },
            Leaf = new NoiseCertificate { Details = ByteString.CopyFrom(details), Signature = ByteString.CopyFrom(new byte[64]) },
        }.ToByteArray();
        Assert.Equal(CertificateChainError.IntermediateKeyLength, Fails(chain, new CertificateTrust(root.PublicKey.Span)));
    }

    [Fact]
    public void CertificateTrust_WhatsApp_IsTheDocumentedRootKey()
    {
        Assert.Equal("142375574d0a587166aae71ebe516437c4a28b73e3695c6ce1f7f9545da8ee6b", Convert.ToHexStringLower(CertificateTrust.WhatsApp.RootPublicKey.Span));
        Assert.Equal(0u, CertificateTrust.WhatsApp.RootSerial);
    }

    [Fact]
    public void CertificateTrust_FromHexOfWrongLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => CertificateTrust.FromHex("1423"));
        Assert.Throws<FormatException>(() => CertificateTrust.FromHex("zz"));
    }
}
