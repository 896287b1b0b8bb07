using WaSms.WhatsApp.Crypto;

namespace WaSms.WhatsApp.Socket;

/// <summary>
/// The client side of WhatsApp's XX handshake over a <see cref="FrameSocket"/>: ClientHello,
/// ServerHello (with certificate chain check), ClientFinish carrying the encrypted ClientPayload.
/// Steps and sources: docs/protocol/noise.md §3.
/// </summary>
public sealed class NoiseInitiator
{
    /// <summary>How long the whole handshake may take; whatsmeow and Baileys wait 20 s for the server.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    private readonly Curve25519KeyPair _noiseKey;
    private readonly CertificateChainVerifier _verifier;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;

    /// <summary>Creates an initiator.</summary>
    /// <param name="noiseKey">The device's long-lived Noise static key pair (made once at registration, then stored).</param>
    /// <param name="verifier">Checks the server's certificate chain.</param>
    /// <param name="time">Clock for the timeout.</param>
    /// <param name="timeout">Limit for the whole handshake; default <see cref="DefaultTimeout"/>.</param>
    public NoiseInitiator(Curve25519KeyPair noiseKey, CertificateChainVerifier verifier, TimeProvider? time = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(noiseKey);
        ArgumentNullException.ThrowIfNull(verifier);
        _noiseKey = noiseKey;
        _verifier = verifier;
        _time = time ?? TimeProvider.System;
        _timeout = timeout ?? DefaultTimeout;
    }

    /// <summary>Runs the handshake with a fresh ephemeral key.</summary>
    /// <param name="frames">A client frame socket that has sent nothing yet.</param>
    /// <param name="clientPayload">The serialized ClientPayload, sent encrypted in ClientFinish.</param>
    /// <param name="cancellationToken">Cancels the handshake.</param>
    /// <exception cref="NoiseHandshakeException">The handshake failed (a <see cref="CertificateChainException"/> for a bad chain).</exception>
    /// <exception cref="SocketClosedException">The connection closed during the handshake.</exception>
    /// <exception cref="FrameException">The framing broke during the handshake.</exception>
    public Task<NoiseInitiatorResult> HandshakeAsync(FrameSocket frames, ReadOnlyMemory<byte> clientPayload, CancellationToken cancellationToken) =>
        HandshakeAsync(frames, clientPayload, Curve25519KeyPair.Generate(), cancellationToken);

    /// <summary>Runs the handshake with a given ephemeral key (known-answer tests only).</summary>
    internal async Task<NoiseInitiatorResult> HandshakeAsync(FrameSocket frames, ReadOnlyMemory<byte> clientPayload, Curve25519KeyPair ephemeral, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frames);
        using var timeout = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await RunAsync(frames, clientPayload, ephemeral, linked.Token);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new NoiseHandshakeException(NoiseHandshakeError.Timeout, $"The server did not complete the handshake within {_timeout}.", ex);
        }
    }

    private async Task<NoiseInitiatorResult> RunAsync(FrameSocket frames, ReadOnlyMemory<byte> clientPayload, Curve25519KeyPair ephemeral, CancellationToken cancellationToken)
    {
        using var handshake = new NoiseHandshake(frames.Header.Span);
        handshake.Authenticate(ephemeral.PublicKey.Span);
        await frames.SendFrameAsync(HandshakeMessages.ClientHello(ephemeral.PublicKey.Span), cancellationToken);

        var response = HandshakeMessages.Parse(await frames.ReceiveFrameAsync(cancellationToken));
        var serverHello = response.ServerHello ?? throw HandshakeMessages.Missing("serverHello");
        if (!serverHello.HasEphemeral || !serverHello.HasStatic || !serverHello.HasPayload)
        {
            throw HandshakeMessages.Missing("a serverHello ephemeral, static or payload");
        }

        var serverEphemeral = serverHello.Ephemeral.Span;
        if (serverEphemeral.Length != Curve25519.KeySize)
        {
            throw new NoiseHandshakeException(NoiseHandshakeError.InvalidKeyLength, $"The server ephemeral key is {serverEphemeral.Length} bytes, expected {Curve25519.KeySize}.");
        }

        handshake.Authenticate(serverEphemeral);
        handshake.MixSharedSecretIntoKey(ephemeral.PrivateKey.Span, serverEphemeral);
        var serverStatic = handshake.Decrypt(serverHello.Static.Span);
        if (serverStatic.Length != Curve25519.KeySize)
        {
            throw new NoiseHandshakeException(NoiseHandshakeError.InvalidKeyLength, $"The server static key is {serverStatic.Length} bytes, expected {Curve25519.KeySize}.");
        }

        handshake.MixSharedSecretIntoKey(ephemeral.PrivateKey.Span, serverStatic);
        var certificateChain = handshake.Decrypt(serverHello.Payload.Span);
        _verifier.Verify(certificateChain, serverStatic);

        var staticCiphertext = handshake.Encrypt(_noiseKey.PublicKey.Span);
        handshake.MixSharedSecretIntoKey(_noiseKey.PrivateKey.Span, serverEphemeral);
        var payloadCiphertext = handshake.Encrypt(clientPayload.Span);
        await frames.SendFrameAsync(HandshakeMessages.ClientFinish(staticCiphertext, payloadCiphertext), cancellationToken);

        return new NoiseInitiatorResult(handshake.Finish(frames, NoiseRole.Initiator), serverStatic);
    }
}
