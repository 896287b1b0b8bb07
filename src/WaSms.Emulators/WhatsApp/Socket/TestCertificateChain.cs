using Google.Protobuf;
using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Proto;
using Details = WaSms.WhatsApp.Proto.CertChain.Types.NoiseCertificate.Types.Details;
using NoiseCertificate = WaSms.WhatsApp.Proto.CertChain.Types.NoiseCertificate;

using WaSms.WhatsApp.Socket;

namespace WaSms.Emulators.WhatsApp.Socket;

/// <summary>
/// Builds a certificate chain in WhatsApp's format under a test root, for the emulator and for
/// tests (nobody but WhatsApp can sign under the real root). Every field can be changed before
/// <see cref="ToByteArray"/> to produce each kind of bad chain. Format: docs/protocol/noise.md §5.
/// </summary>
public sealed class TestCertificateChain
{
    /// <summary>Starts a valid chain for <paramref name="serverStaticPublicKey"/>, valid from a day before <paramref name="now"/> to 30 days after.</summary>
    public TestCertificateChain(ReadOnlySpan<byte> serverStaticPublicKey, DateTimeOffset now)
    {
        LeafKey = serverStaticPublicKey.ToArray();
        IntermediateNotBefore = LeafNotBefore = now.AddDays(-1);
        IntermediateNotAfter = LeafNotAfter = now.AddDays(30);
    }

    /// <summary>The test root that signs the intermediate.</summary>
    public Curve25519KeyPair Root { get; set; } = Curve25519KeyPair.Generate();

    /// <summary>The intermediate whose key signs the leaf.</summary>
    public Curve25519KeyPair Intermediate { get; set; } = Curve25519KeyPair.Generate();

    /// <summary>The intermediate's serial (the leaf's issuer serial must match it).</summary>
    public uint IntermediateSerial { get; set; } = 1;

    /// <summary>The issuer serial the intermediate names; valid when it equals the root serial (0).</summary>
    public uint IntermediateIssuerSerial { get; set; } = CertificateTrust.WhatsAppRootSerial;

    /// <summary>Start of the intermediate's validity.</summary>
    public DateTimeOffset IntermediateNotBefore { get; set; }

    /// <summary>End of the intermediate's validity.</summary>
    public DateTimeOffset IntermediateNotAfter { get; set; }

    /// <summary>The leaf's serial.</summary>
    public uint LeafSerial { get; set; } = 2;

    /// <summary>The issuer serial the leaf names; valid when it equals <see cref="IntermediateSerial"/>.</summary>
    public uint LeafIssuerSerial { get; set; } = 1;

    /// <summary>The key the leaf certifies; valid when it is the server's static public key.</summary>
    public ReadOnlyMemory<byte> LeafKey { get; set; }

    /// <summary>Start of the leaf's validity.</summary>
    public DateTimeOffset LeafNotBefore { get; set; }

    /// <summary>End of the leaf's validity.</summary>
    public DateTimeOffset LeafNotAfter { get; set; }

    /// <summary>Flip a bit in the intermediate's signature.</summary>
    public bool CorruptIntermediateSignature { get; set; }

    /// <summary>Flip a bit in the leaf's signature.</summary>
    public bool CorruptLeafSignature { get; set; }

    /// <summary>The trust anchor a client needs to accept this chain.</summary>
    public CertificateTrust Trust => new(Root.PublicKey.Span);

    /// <summary>Serializes the chain (the plaintext of ServerHello.payload).</summary>
    public byte[] ToByteArray()
    {
        var intermediateDetails = new Details
        {
            Serial = IntermediateSerial,
            IssuerSerial = IntermediateIssuerSerial,
            Key = ByteString.CopyFrom(Intermediate.PublicKey.Span),
            NotBefore = ToUnixSeconds(IntermediateNotBefore),
            NotAfter = ToUnixSeconds(IntermediateNotAfter),
        }.ToByteArray();
        var leafDetails = new Details
        {
            Serial = LeafSerial,
            IssuerSerial = LeafIssuerSerial,
            Key = ByteString.CopyFrom(LeafKey.Span),
            NotBefore = ToUnixSeconds(LeafNotBefore),
            NotAfter = ToUnixSeconds(LeafNotAfter),
        }.ToByteArray();

        return new CertChain
        {
            Intermediate = Certificate(intermediateDetails, Root, CorruptIntermediateSignature),
            Leaf = Certificate(leafDetails, Intermediate, CorruptLeafSignature),
        }.ToByteArray();
    }

    private static NoiseCertificate Certificate(byte[] details, Curve25519KeyPair signer, bool corrupt)
    {
        var signature = XEdDsa.Sign(signer.PrivateKey.Span, details);
        if (corrupt)
        {
            signature[5] ^= 0x01;
        }

        return new NoiseCertificate { Details = ByteString.CopyFrom(details), Signature = ByteString.CopyFrom(signature) };
    }

    private static ulong ToUnixSeconds(DateTimeOffset time) => (ulong)Math.Max(0, time.ToUnixTimeSeconds());
}
