namespace WaSms.WhatsApp.Socket;

/// <summary>
/// The trust anchor for the server's Noise certificate chain: the root's Curve25519 public key
/// and the serial an intermediate must name as its issuer. <see cref="WhatsApp"/> is the real
/// one; tests and the emulator use a test root (<c>TestCertificateChain</c> in src/WaSms.Emulators).
/// </summary>
public sealed class CertificateTrust
{
    /// <summary>
    /// WhatsApp's root public key ("WhatsAppLongTerm1"), hex. Source: tulir/whatsmeow handshake.go
    /// <c>WACertPubKey</c> @33cfac5 and Baileys src/Defaults <c>WA_CERT_DETAILS.PUBLIC_KEY</c>
    /// (npm baileys@7.0.0-rc14); docs/protocol/noise.md §5.
    /// </summary>
    public const string WhatsAppRootPublicKeyHex = "142375574d0a587166aae71ebe516437c4a28b73e3695c6ce1f7f9545da8ee6b";

    /// <summary>The root's serial, which the intermediate names as its issuer (whatsmeow <c>WACertIssuerSerial</c>).</summary>
    public const uint WhatsAppRootSerial = 0;

    private readonly byte[] _rootPublicKey;

    /// <summary>Creates a trust anchor from a 32-byte root key.</summary>
    /// <exception cref="ArgumentException">The key is not 32 bytes long.</exception>
    public CertificateTrust(ReadOnlySpan<byte> rootPublicKey, uint rootSerial = WhatsAppRootSerial)
    {
        if (rootPublicKey.Length != 32)
        {
            throw new ArgumentException($"The root public key is 32 bytes, not {rootPublicKey.Length}.", nameof(rootPublicKey));
        }

        _rootPublicKey = rootPublicKey.ToArray();
        RootSerial = rootSerial;
    }

    /// <summary>WhatsApp's production root.</summary>
    public static CertificateTrust WhatsApp { get; } = FromHex(WhatsAppRootPublicKeyHex);

    /// <summary>The root's Curve25519 public key.</summary>
    public ReadOnlyMemory<byte> RootPublicKey => _rootPublicKey;

    /// <summary>The serial the intermediate must name as its issuer.</summary>
    public uint RootSerial { get; }

    /// <summary>Creates a trust anchor from a 64-character hex root key (configuration).</summary>
    /// <exception cref="FormatException">The text is not hex.</exception>
    /// <exception cref="ArgumentException">The key is not 32 bytes long.</exception>
    public static CertificateTrust FromHex(string rootPublicKeyHex, uint rootSerial = WhatsAppRootSerial)
    {
        ArgumentNullException.ThrowIfNull(rootPublicKeyHex);
        return new CertificateTrust(Convert.FromHexString(rootPublicKeyHex), rootSerial);
    }
}
