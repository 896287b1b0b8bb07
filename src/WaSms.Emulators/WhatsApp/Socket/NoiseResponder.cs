using WaSms.WhatsApp.Crypto;

using WaSms.WhatsApp.Socket;

namespace WaSms.Emulators.WhatsApp.Socket;

/// <summary>
/// The server side of WhatsApp's XX handshake, for the WhatsApp emulator and tests: it mirrors
/// the client steps in docs/protocol/noise.md §3 and sends a certificate chain made, for example,
/// with <see cref="TestCertificateChain"/>. It does not judge the ClientPayload or the dictionary
/// version in the header; its caller does.
/// </summary>
public sealed class NoiseResponder
{
    private readonly Curve25519KeyPair _staticKey;
    private readonly byte[] _certificateChain;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;

    /// <summary>Creates a responder.</summary>
    /// <param name="staticKey">The server's Noise static key pair (the leaf certificate must certify its public key).</param>
    /// <param name="certificateChain">The serialized CertChain sent encrypted in ServerHello.payload.</param>
    /// <param name="time">Clock for the timeout.</param>
    /// <param name="timeout">Limit for the whole handshake; default <see cref="NoiseInitiator.DefaultTimeout"/>.</param>
    public NoiseResponder(Curve25519KeyPair staticKey, ReadOnlyMemory<byte> certificateChain, TimeProvider? time = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(staticKey);
        _staticKey = staticKey;
        _certificateChain = certificateChain.ToArray();
        _time = time ?? TimeProvider.System;
        _timeout = timeout ?? NoiseInitiator.DefaultTimeout;
    }

    /// <summary>Runs the handshake with a fresh ephemeral key.</summary>
    /// <param name="frames">A server frame socket that has received nothing yet.</param>
    /// <param name="cancellationToken">Cancels the handshake.</param>
    /// <exception cref="NoiseHandshakeException">The handshake failed.</exception>
    /// <exception cref="SocketClosedException">The connection closed during the handshake.</exception>
    /// <exception cref="FrameException">The framing or the connection header was bad.</exception>
    public Task<NoiseResponderResult> AcceptAsync(FrameSocket frames, CancellationToken cancellationToken) =>
        AcceptAsync(frames, Curve25519KeyPair.Generate(), cancellationToken);

    /// <summary>Runs the handshake with a given ephemeral key (known-answer tests only).</summary>
    internal async Task<NoiseResponderResult> AcceptAsync(FrameSocket frames, Curve25519KeyPair ephemeral, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frames);
        using var timeout = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await RunAsync(frames, ephemeral, linked.Token);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new NoiseHandshakeException(NoiseHandshakeError.Timeout, $"The client did not complete the handshake within {_timeout}.", ex);
        }
    }

    private async Task<NoiseResponderResult> RunAsync(FrameSocket frames, Curve25519KeyPair ephemeral, CancellationToken cancellationToken)
    {
        var hello = HandshakeMessages.Parse(await frames.ReceiveFrameAsync(cancellationToken));
        var clientHello = hello.ClientHello ?? throw HandshakeMessages.Missing("clientHello");
        if (!clientHello.HasEphemeral)
        {
            throw HandshakeMessages.Missing("a clientHello ephemeral");
        }

        var clientEphemeral = clientHello.Ephemeral.ToByteArray();
        if (clientEphemeral.Length != Curve25519.KeySize)
        {
            throw new NoiseHandshakeException(NoiseHandshakeError.InvalidKeyLength, $"The client ephemeral key is {clientEphemeral.Length} bytes, expected {Curve25519.KeySize}.");
        }

        using var handshake = new NoiseHandshake(frames.Header.Span);
        handshake.Authenticate(clientEphemeral);
        handshake.Authenticate(ephemeral.PublicKey.Span);
        handshake.MixSharedSecretIntoKey(ephemeral.PrivateKey.Span, clientEphemeral);
        var staticCiphertext = handshake.Encrypt(_staticKey.PublicKey.Span);
        handshake.MixSharedSecretIntoKey(_staticKey.PrivateKey.Span, clientEphemeral);
        var payloadCiphertext = handshake.Encrypt(_certificateChain);
        await frames.SendFrameAsync(HandshakeMessages.ServerHello(ephemeral.PublicKey.Span, staticCiphertext, payloadCiphertext), cancellationToken);

        var finish = HandshakeMessages.Parse(await frames.ReceiveFrameAsync(cancellationToken));
        var clientFinish = finish.ClientFinish ?? throw HandshakeMessages.Missing("clientFinish");
        if (!clientFinish.HasStatic || !clientFinish.HasPayload)
        {
            throw HandshakeMessages.Missing("a clientFinish static or payload");
        }

        var clientStatic = handshake.Decrypt(clientFinish.Static.Span);
        if (clientStatic.Length != Curve25519.KeySize)
        {
            throw new NoiseHandshakeException(NoiseHandshakeError.InvalidKeyLength, $"The client static key is {clientStatic.Length} bytes, expected {Curve25519.KeySize}.");
        }

        handshake.MixSharedSecretIntoKey(ephemeral.PrivateKey.Span, clientStatic);
        var clientPayload = handshake.Decrypt(clientFinish.Payload.Span);
        return new NoiseResponderResult(handshake.Finish(frames, NoiseRole.Responder), clientStatic, clientPayload);
    }
}
