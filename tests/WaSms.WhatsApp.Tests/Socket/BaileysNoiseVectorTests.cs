using Microsoft.Extensions.Time.Testing;
using WaSms.WhatsApp.Crypto;
using WaSms.Emulators.WhatsApp.Socket;
using WaSms.WhatsApp.Socket;
using V = WaSms.WhatsApp.Tests.Socket.Vectors.BaileysNoiseVectors;

namespace WaSms.WhatsApp.Tests.Socket;

/// <summary>
/// Known-answer tests: with the same fixed keys, our initiator and responder must put exactly the
/// bytes on the wire that Baileys' noise handler produced (Vectors/generate-noise-vectors.mjs).
/// </summary>
public sealed class BaileysNoiseVectorTests
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token;

    private static byte[] Hex(string hex) => Convert.FromHexString(hex);

    private static Curve25519KeyPair Key(string privateHex) => Curve25519KeyPair.FromPrivateKey(Hex(privateHex));

    private static FakeTimeProvider ClockInsideValidity() => new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void NoiseHandshake_AfterPrologue_HashMatchesTheKnownValue()
    {
        using var handshake = new NoiseHandshake(SocketConstants.ConnectionHeader);

        Assert.Equal("ffff0c9267310966f1311170c04b38c79504285bf5edf763e5c946492a50a755", Convert.ToHexStringLower(handshake.Hash.Span));
    }

    [Fact]
    public async Task Initiator_WithBaileysKeys_SendsBaileysBytes()
    {
        var clock = ClockInsideValidity();
        var (clientEnd, serverEnd) = InMemoryTransport.CreatePair();
        var frames = FrameSocket.ForClient(clientEnd);
        var verifier = new CertificateChainVerifier(new CertificateTrust(Hex(V.RootPublic)), clock);
        var initiator = new NoiseInitiator(Key(V.ClientNoisePrivate), verifier, clock);

        var handshake = initiator.HandshakeAsync(frames, Hex(V.ClientPayload), Key(V.ClientEphemeralPrivate), Timeout);

        Assert.Equal(V.ClientHelloMessage, Convert.ToHexStringLower((await serverEnd.ReceiveAsync(Timeout)).Span));
        await serverEnd.SendAsync(Hex(V.ServerHelloMessage), Timeout);
        Assert.Equal(V.ClientFinishMessage, Convert.ToHexStringLower((await serverEnd.ReceiveAsync(Timeout)).Span));

        var result = await handshake;
        Assert.Equal(V.ServerStaticPublic, Convert.ToHexStringLower(result.ServerStaticKey.Span));

        await result.Socket.SendFrameAsync(Hex(V.ClientToServerPlain0), Timeout);
        await result.Socket.SendFrameAsync(Hex(V.ClientToServerPlain1), Timeout);
        Assert.Equal(V.ClientToServerMessage0, Convert.ToHexStringLower((await serverEnd.ReceiveAsync(Timeout)).Span));
        Assert.Equal(V.ClientToServerMessage1, Convert.ToHexStringLower((await serverEnd.ReceiveAsync(Timeout)).Span));

        // Both server frames in one WebSocket message.
        await serverEnd.SendAsync(Hex(V.ServerToClientMessage0 + V.ServerToClientMessage1), Timeout);
        Assert.Equal(Hex(V.ServerToClientPlain0), await result.Socket.ReceiveFrameAsync(Timeout));
        Assert.Equal(Hex(V.ServerToClientPlain1), await result.Socket.ReceiveFrameAsync(Timeout));
        Assert.Equal(2UL, result.Socket.WriteCounter);
        Assert.Equal(2UL, result.Socket.ReadCounter);
    }

    [Fact]
    public async Task Responder_WithBaileysKeys_SendsBaileysBytesAndReadsTheFinish()
    {
        var (clientEnd, serverEnd) = InMemoryTransport.CreatePair();
        var frames = FrameSocket.ForServer(serverEnd);
        var responder = new NoiseResponder(Key(V.ServerStaticPrivate), Hex(V.CertChain));

        var accept = responder.AcceptAsync(frames, Key(V.ServerEphemeralPrivate), Timeout);

        await clientEnd.SendAsync(Hex(V.ClientHelloMessage), Timeout);
        Assert.Equal(V.ServerHelloMessage, Convert.ToHexStringLower((await clientEnd.ReceiveAsync(Timeout)).Span));
        await clientEnd.SendAsync(Hex(V.ClientFinishMessage), Timeout);

        var result = await accept;
        Assert.Equal(V.ClientNoisePublic, Convert.ToHexStringLower(result.ClientStaticKey.Span));
        Assert.Equal(V.ClientPayload, Convert.ToHexStringLower(result.ClientPayload.Span));

        await clientEnd.SendAsync(Hex(V.ClientToServerMessage0 + V.ClientToServerMessage1), Timeout);
        Assert.Equal(Hex(V.ClientToServerPlain0), await result.Socket.ReceiveFrameAsync(Timeout));
        Assert.Equal(Hex(V.ClientToServerPlain1), await result.Socket.ReceiveFrameAsync(Timeout));

        await result.Socket.SendFrameAsync(Hex(V.ServerToClientPlain0), Timeout);
        Assert.Equal(V.ServerToClientMessage0, Convert.ToHexStringLower((await clientEnd.ReceiveAsync(Timeout)).Span));
    }

    [Fact]
    public void SplitKeys_AfterBaileysTranscript_MatchBaileysTransportKeys()
    {
        using var handshake = new NoiseHandshake(SocketConstants.ConnectionHeader);
        var clientEphemeral = Key(V.ClientEphemeralPrivate);
        handshake.MixSharedSecretIntoKey(clientEphemeral.PrivateKey.Span, Hex(V.ServerEphemeralPublic));
        handshake.MixSharedSecretIntoKey(clientEphemeral.PrivateKey.Span, Hex(V.ServerStaticPublic));
        handshake.MixSharedSecretIntoKey(Hex(V.ClientNoisePrivate), Hex(V.ServerEphemeralPublic));

        var (write, read) = handshake.SplitKeys(NoiseRole.Initiator);
        Assert.Equal(V.ClientToServerKey, Convert.ToHexStringLower(write));
        Assert.Equal(V.ServerToClientKey, Convert.ToHexStringLower(read));

        var (serverWrite, serverRead) = handshake.SplitKeys(NoiseRole.Responder);
        Assert.Equal(read, serverWrite);
        Assert.Equal(write, serverRead);
    }

    [Fact]
    public void CertificateChainVerifier_BaileysSignedChain_IsAccepted()
    {
        var verifier = new CertificateChainVerifier(new CertificateTrust(Hex(V.RootPublic)), ClockInsideValidity());

        verifier.Verify(Hex(V.CertChain), Hex(V.ServerStaticPublic));
    }
}
