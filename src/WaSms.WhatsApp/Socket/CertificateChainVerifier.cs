using System.Security.Cryptography;
using Google.Protobuf;
using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Proto;
using Details = WaSms.WhatsApp.Proto.CertChain.Types.NoiseCertificate.Types.Details;

namespace WaSms.WhatsApp.Socket;

/// <summary>
/// Checks the certificate chain a server sends (encrypted) in its ServerHello: root signs
/// intermediate, intermediate signs leaf, serials link, both are inside their validity windows
/// on <see cref="TimeProvider"/>'s clock, and the leaf key is the server's Noise static key.
/// The checks and their order follow whatsmeow's verifyServerCert (docs/protocol/noise.md §5);
/// Baileys checks less.
/// </summary>
public sealed class CertificateChainVerifier
{
    private const int SignatureSize = 64;
    private readonly CertificateTrust _trust;
    private readonly TimeProvider _time;

    /// <summary>Creates a verifier for a trust anchor and a clock.</summary>
    public CertificateChainVerifier(CertificateTrust trust, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(trust);
        _trust = trust;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Verifies a serialized CertChain against the decrypted server static key.</summary>
    /// <exception cref="CertificateChainException">A check failed; <see cref="CertificateChainException.Check"/> names it.</exception>
    public void Verify(ReadOnlySpan<byte> certificateChain, ReadOnlySpan<byte> serverStaticKey)
    {
        var chain = Parse(CertChain.Parser, certificateChain);
        if (chain.Intermediate is not { HasDetails: true, HasSignature: true } intermediate
            || chain.Leaf is not { HasDetails: true, HasSignature: true } leaf)
        {
            throw Fail(CertificateChainError.MissingPart, "The certificate chain lacks a leaf or intermediate details or signature.");
        }

        if (intermediate.Signature.Length != SignatureSize || leaf.Signature.Length != SignatureSize)
        {
            throw Fail(CertificateChainError.SignatureLength, $"Certificate signatures are {SignatureSize} bytes (got {intermediate.Signature.Length} and {leaf.Signature.Length}).");
        }

        if (!XEdDsa.Verify(_trust.RootPublicKey.Span, intermediate.Details.Span, intermediate.Signature.Span))
        {
            throw Fail(CertificateChainError.IntermediateSignatureInvalid, "The intermediate certificate is not signed by the trusted root.");
        }

        var intermediateDetails = Parse(Details.Parser, intermediate.Details.Span);
        if (intermediateDetails.IssuerSerial != _trust.RootSerial)
        {
            throw Fail(CertificateChainError.IntermediateIssuerSerialMismatch, $"The intermediate names issuer serial {intermediateDetails.IssuerSerial}, expected {_trust.RootSerial}.");
        }

        if (intermediateDetails.Key.Length != Curve25519.KeySize)
        {
            throw Fail(CertificateChainError.IntermediateKeyLength, $"The intermediate key is {intermediateDetails.Key.Length} bytes, expected {Curve25519.KeySize}.");
        }

        if (!XEdDsa.Verify(intermediateDetails.Key.Span, leaf.Details.Span, leaf.Signature.Span))
        {
            throw Fail(CertificateChainError.LeafSignatureInvalid, "The leaf certificate is not signed by the intermediate.");
        }

        var now = _time.GetUtcNow();
        CheckValidity(intermediateDetails, now, CertificateChainError.IntermediateNotYetValid, CertificateChainError.IntermediateExpired, "intermediate");

        var leafDetails = Parse(Details.Parser, leaf.Details.Span);
        if (leafDetails.IssuerSerial != intermediateDetails.Serial)
        {
            throw Fail(CertificateChainError.LeafIssuerSerialMismatch, $"The leaf names issuer serial {leafDetails.IssuerSerial}, but the intermediate's serial is {intermediateDetails.Serial}.");
        }

        if (!CryptographicOperations.FixedTimeEquals(leafDetails.Key.Span, serverStaticKey))
        {
            throw Fail(CertificateChainError.LeafKeyMismatch, "The leaf certificate's key is not the server's static key.");
        }

        CheckValidity(leafDetails, now, CertificateChainError.LeafNotYetValid, CertificateChainError.LeafExpired, "leaf");
    }

    // notBefore/notAfter are Unix seconds; compared in milliseconds so that a clock half a second
    // past notAfter is already expired, as with whatsmeow's time.Time comparison.
    private static void CheckValidity(Details details, DateTimeOffset now, CertificateChainError notYetValid, CertificateChainError expired, string name)
    {
        var nowMs = (Int128)now.ToUnixTimeMilliseconds();
        if (nowMs < (Int128)details.NotBefore * 1000)
        {
            throw new CertificateChainException(notYetValid, $"The {name} certificate is not valid before {details.NotBefore} (Unix seconds); the clock says {now:O}.")
            {
                ValidityLimit = DateTimeOffset.FromUnixTimeSeconds((long)Math.Min(details.NotBefore, (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds())),
            };
        }

        if (nowMs > (Int128)details.NotAfter * 1000)
        {
            throw new CertificateChainException(expired, $"The {name} certificate expired at {details.NotAfter} (Unix seconds); the clock says {now:O}.")
            {
                ValidityLimit = DateTimeOffset.FromUnixTimeSeconds((long)Math.Min(details.NotAfter, (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds())),
            };
        }
    }

    private static T Parse<T>(MessageParser<T> parser, ReadOnlySpan<byte> data)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(data);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new CertificateChainException(CertificateChainError.Malformed, $"A certificate structure is not valid protobuf: {ex.Message}", ex);
        }
    }

    private static CertificateChainException Fail(CertificateChainError check, string message) => new(check, message);
}
