namespace WaSms.WhatsApp.Socket;

/// <summary>Why a Noise handshake failed (see <see cref="NoiseHandshakeException"/>).</summary>
public enum NoiseHandshakeError
{
    /// <summary>The peer did not answer within the handshake timeout.</summary>
    Timeout,

    /// <summary>A handshake frame was not a decodable HandshakeMessage protobuf.</summary>
    MalformedMessage,

    /// <summary>The HandshakeMessage lacked the expected hello/finish part or one of its fields.</summary>
    MissingField,

    /// <summary>A key had the wrong length.</summary>
    InvalidKeyLength,

    /// <summary>An X25519 agreement gave all zeros (a low-order public key).</summary>
    WeakKey,

    /// <summary>An AES-GCM open failed: wrong key, tampered bytes or a desynchronised transcript.</summary>
    DecryptionFailed,

    /// <summary>The server's certificate chain failed a check; the exception is a <see cref="CertificateChainException"/>.</summary>
    CertificateChainInvalid,
}
