namespace WaSms.WhatsApp.Socket;

/// <summary>
/// The certificate chain check that failed, in the order <see cref="CertificateChainVerifier"/>
/// runs them (whatsmeow's order; docs/protocol/noise.md §5).
/// </summary>
public enum CertificateChainError
{
    /// <summary>The chain or a details blob is not a decodable protobuf.</summary>
    Malformed,

    /// <summary>The leaf or intermediate details or signature is absent.</summary>
    MissingPart,

    /// <summary>A signature is not 64 bytes long.</summary>
    SignatureLength,

    /// <summary>The intermediate is not signed by the trusted root key (a wrong root or a forged intermediate).</summary>
    IntermediateSignatureInvalid,

    /// <summary>The intermediate's issuer serial is not the trusted root's serial.</summary>
    IntermediateIssuerSerialMismatch,

    /// <summary>The intermediate's key is not 32 bytes long.</summary>
    IntermediateKeyLength,

    /// <summary>The leaf is not signed by the intermediate's key.</summary>
    LeafSignatureInvalid,

    /// <summary>The clock is before the intermediate's notBefore.</summary>
    IntermediateNotYetValid,

    /// <summary>The clock is after the intermediate's notAfter.</summary>
    IntermediateExpired,

    /// <summary>The leaf's issuer serial is not the intermediate's serial.</summary>
    LeafIssuerSerialMismatch,

    /// <summary>The leaf's key is not the server static key sent in the handshake.</summary>
    LeafKeyMismatch,

    /// <summary>The clock is before the leaf's notBefore.</summary>
    LeafNotYetValid,

    /// <summary>The clock is after the leaf's notAfter.</summary>
    LeafExpired,
}
