using Google.Protobuf;
using Microsoft.Extensions.Time.Testing;
using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Proto;
using WaSms.Emulators.WhatsApp.Socket;
using WaSms.WhatsApp.Socket;
using V = WaSms.WhatsApp.Tests.Socket.Vectors.BaileysNoiseVectors;

namespace WaSms.WhatsApp.Tests.Socket;

/// <summary>Bad, truncated or hostile handshake traffic must end in typed errors on both sides.</summary>
public sealed class NoiseHandshakeErrorTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token;

    private static byte[] Hex(string hex) => Convert.FromHexString(hex);

    private static byte[] Frame(byte[] payload) => [(byte)(payload.Length >> 16), (byte)(payload.Length >> 8), (byte)payload.Length, .. payload];

    private static HandshakeMessage BaileysServerHello() => HandshakeMessage.Parser.ParseFrom(Hex(V.ServerHelloMessage).AsSpan(3));

    // Starts the Baileys-keyed initiator, consumes its ClientHello and answers with `reply` (raw message bytes).
    private static async Task<Exception> InitiatorFailureAsync(byte[]? reply, bool closeAfterReply = false, FakeTimeProvider? clock = null)
    {
        clock ??= new FakeTimeProvider(Now);
        var (clientEnd, serverEnd) = InMemoryTransport.CreatePair();
        var verifier = new CertificateChainVerifier(new CertificateTrust(Hex(V.RootPublic)), clock);
        var initiator = new NoiseInitiator(Curve25519KeyPair.FromPrivateKey(Hex(V.ClientNoisePrivate)), verifier, clock);
        var handshake = initiator.HandshakeAsync(FrameSocket.ForClient(clientEnd), Hex(V.ClientPayload), Curve25519KeyPair.FromPrivateKey(Hex(V.ClientEphemeralPrivate)), Timeout);
        await serverEnd.ReceiveAsync(Timeout);
        if (reply is not null)
        {
            await serverEnd.SendAsync(reply, Timeout);
        }

        if (closeAfterReply)
        {
            await serverEnd.CloseAsync(Timeout);
        }

        return await Assert.ThrowsAnyAsync<WaSocketException>(() => handshake);
    }

    private static async Task<NoiseHandshakeError> InitiatorErrorAsync(byte[] reply) =>
        Assert.IsType<NoiseHandshakeException>(await InitiatorFailureAsync(reply), exactMatch: false).Error;

    [Fact]
    public async Task Initiator_GarbageServerHello_FailsMalformed()
    {
        Assert.Equal(NoiseHandshakeError.MalformedMessage, await InitiatorErrorAsync(Frame([0xFF, 0xFF, 0xFF])));
    }

    [Fact]
    public async Task Initiator_TruncatedServerHelloProtobuf_FailsMalformed()
    {
        var hello = Hex(V.ServerHelloMessage).AsSpan(3).ToArray();
        Assert.Equal(NoiseHandshakeError.MalformedMessage, await InitiatorErrorAsync(Frame(hello[..^10])));
    }

    [Fact]
    public async Task Initiator_EmptyHandshakeMessage_FailsMissingField()
    {
        Assert.Equal(NoiseHandshakeError.MissingField, await InitiatorErrorAsync(Frame([])));
    }

    [Fact]
    public async Task Initiator_ClientFinishInsteadOfServerHello_FailsMissingField()
    {
        var wrong = new HandshakeMessage { ClientFinish = new HandshakeMessage.Types.ClientFinish { Static = ByteString.CopyFrom(new byte[48]) } };
        Assert.Equal(NoiseHandshakeError.MissingField, await InitiatorErrorAsync(Frame(wrong.ToByteArray())));
    }

    [Fact]
    public async Task Initiator_ServerHelloWithoutPayload_FailsMissingField()
    {
        var hello = BaileysServerHello();
        hello.ServerHello.ClearPayload();
        Assert.Equal(NoiseHandshakeError.MissingField, await InitiatorErrorAsync(Frame(hello.ToByteArray())));
    }

    [Fact]
    public async Task Initiator_ShortServerEphemeral_FailsInvalidKeyLength()
    {
        var hello = BaileysServerHello();
        hello.ServerHello.Ephemeral = ByteString.CopyFrom(hello.ServerHello.Ephemeral.Span[..31]);
        Assert.Equal(NoiseHandshakeError.InvalidKeyLength, await InitiatorErrorAsync(Frame(hello.ToByteArray())));
    }

    [Fact]
    public async Task Initiator_LowOrderServerEphemeral_FailsWeakKey()
    {
        var hello = BaileysServerHello();
        hello.ServerHello.Ephemeral = ByteString.CopyFrom(new byte[32]);
        Assert.Equal(NoiseHandshakeError.WeakKey, await InitiatorErrorAsync(Frame(hello.ToByteArray())));
    }

    [Fact]
    public async Task Initiator_TamperedStaticCiphertext_FailsDecryption()
    {
        var hello = BaileysServerHello();
        var bytes = hello.ServerHello.Static.ToByteArray();
        bytes[0] ^= 1;
        hello.ServerHello.Static = ByteString.CopyFrom(bytes);
        Assert.Equal(NoiseHandshakeError.DecryptionFailed, await InitiatorErrorAsync(Frame(hello.ToByteArray())));
    }

    [Fact]
    public async Task Initiator_TamperedCertificateCiphertext_FailsDecryption()
    {
        var hello = BaileysServerHello();
        var bytes = hello.ServerHello.Payload.ToByteArray();
        bytes[^1] ^= 1;
        hello.ServerHello.Payload = ByteString.CopyFrom(bytes);
        Assert.Equal(NoiseHandshakeError.DecryptionFailed, await InitiatorErrorAsync(Frame(hello.ToByteArray())));
    }

    [Fact]
    public async Task Initiator_ConnectionClosedMidFrame_FailsTruncated()
    {
        var ex = await InitiatorFailureAsync([0, 1, 0x5A, 0x1A, 0xD7], closeAfterReply: true);
        Assert.Equal(FrameError.Truncated, Assert.IsType<FrameException>(ex).Error);
    }

    [Fact]
    public async Task Initiator_ServerHangsUp_FailsSocketClosed()
    {
        Assert.IsType<SocketClosedException>(await InitiatorFailureAsync(null, closeAfterReply: true));
    }

    [Fact]
    public async Task Initiator_ServerSilentPastTimeout_FailsTimeout()
    {
        var clock = new FakeTimeProvider(Now);
        var (clientEnd, serverEnd) = InMemoryTransport.CreatePair();
        var initiator = new NoiseInitiator(Curve25519KeyPair.Generate(), new CertificateChainVerifier(CertificateTrust.WhatsApp, clock), clock);
        var handshake = initiator.HandshakeAsync(FrameSocket.ForClient(clientEnd), default, Timeout);
        await serverEnd.ReceiveAsync(Timeout);

        clock.Advance(TimeSpan.FromSeconds(19));
        Assert.False(handshake.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(2));

        var ex = await Assert.ThrowsAsync<NoiseHandshakeException>(() => handshake);
        Assert.Equal(NoiseHandshakeError.Timeout, ex.Error);
    }

    [Fact]
    public async Task Initiator_SilentServerOverLoopbackWebSocket_FailsTimeout()
    {
        var clock = new FakeTimeProvider(Now);
        await using var pair = await TransportPair.LoopbackWebSocketAsync(Timeout);
        var initiator = new NoiseInitiator(Curve25519KeyPair.Generate(), new CertificateChainVerifier(CertificateTrust.WhatsApp, clock), clock);
        var handshake = initiator.HandshakeAsync(FrameSocket.ForClient(pair.Client), default, Timeout);
        await pair.Server.ReceiveAsync(Timeout);

        clock.Advance(NoiseInitiator.DefaultTimeout);

        var ex = await Assert.ThrowsAsync<NoiseHandshakeException>(() => handshake);

        Assert.Equal(NoiseHandshakeError.Timeout, ex.Error);
    }

    [Fact]
    public async Task Initiator_ResponderWithWrongLeafKey_FailsCertificateChainLeafKey()
    {
        var clock = new FakeTimeProvider(Now);
        var serverStatic = Curve25519KeyPair.Generate();
        var chain = new TestCertificateChain(Curve25519KeyPair.Generate().PublicKey.Span, Now);
        var (clientEnd, serverEnd) = InMemoryTransport.CreatePair();
        var responder = new NoiseResponder(serverStatic, chain.ToByteArray(), clock);
        var initiator = new NoiseInitiator(Curve25519KeyPair.Generate(), new CertificateChainVerifier(chain.Trust, clock), clock);

        var server = responder.AcceptAsync(FrameSocket.ForServer(serverEnd), Timeout);
        var ex = await Assert.ThrowsAsync<CertificateChainException>(() => initiator.HandshakeAsync(FrameSocket.ForClient(clientEnd), default, Timeout));

        Assert.Equal(CertificateChainError.LeafKeyMismatch, ex.Check);
        Assert.Equal(NoiseHandshakeError.CertificateChainInvalid, ex.Error);
        await clientEnd.CloseAsync(Timeout);
        await Assert.ThrowsAnyAsync<WaSocketException>(() => server);
    }

    [Fact]
    public async Task Initiator_RealWhatsAppRootAgainstTestChain_FailsCertificateChain()
    {
        var clock = new FakeTimeProvider(Now);
        var serverStatic = Curve25519KeyPair.Generate();
        var chain = new TestCertificateChain(serverStatic.PublicKey.Span, Now);
        var (clientEnd, serverEnd) = InMemoryTransport.CreatePair();
        var responder = new NoiseResponder(serverStatic, chain.ToByteArray(), clock);
        var initiator = new NoiseInitiator(Curve25519KeyPair.Generate(), new CertificateChainVerifier(CertificateTrust.WhatsApp, clock), clock);

        _ = responder.AcceptAsync(FrameSocket.ForServer(serverEnd), Timeout);
        var ex = await Assert.ThrowsAsync<CertificateChainException>(() => initiator.HandshakeAsync(FrameSocket.ForClient(clientEnd), default, Timeout));

        Assert.Equal(CertificateChainError.IntermediateSignatureInvalid, ex.Check);
    }

    // Responder side: send raw messages as a (bad) client.
    private static async Task<Exception> ResponderFailureAsync(Func<IMessageTransport, Task> client)
    {
        var (clientEnd, serverEnd) = InMemoryTransport.CreatePair();
        var responder = new NoiseResponder(Curve25519KeyPair.FromPrivateKey(Hex(V.ServerStaticPrivate)), Hex(V.CertChain));
        var accept = responder.AcceptAsync(FrameSocket.ForServer(serverEnd), Curve25519KeyPair.FromPrivateKey(Hex(V.ServerEphemeralPrivate)), Timeout);
        await client(clientEnd);
        return await Assert.ThrowsAnyAsync<WaSocketException>(() => accept);
    }

    [Fact]
    public async Task Responder_GarbageClientHello_FailsMalformed()
    {
        var ex = await ResponderFailureAsync(c => c.SendAsync(new byte[] { 0x57, 0x41, 0x06, 0x03, 0, 0, 2, 0xFF, 0xFF }, Timeout).AsTask());
        Assert.Equal(NoiseHandshakeError.MalformedMessage, Assert.IsType<NoiseHandshakeException>(ex).Error);
    }

    [Fact]
    public async Task Responder_ClientHelloWithoutEphemeral_FailsMissingField()
    {
        var hello = new HandshakeMessage { ClientHello = new HandshakeMessage.Types.ClientHello() }.ToByteArray();
        var ex = await ResponderFailureAsync(c => c.SendAsync((byte[])[0x57, 0x41, 0x06, 0x03, .. Frame(hello)], Timeout).AsTask());
        Assert.Equal(NoiseHandshakeError.MissingField, Assert.IsType<NoiseHandshakeException>(ex).Error);
    }

    [Fact]
    public async Task Responder_NoConnectionHeader_FailsBadConnectionHeader()
    {
        var ex = await ResponderFailureAsync(c => c.SendAsync(Hex(V.ClientHelloMessage).AsMemory(4), Timeout).AsTask());
        Assert.Equal(FrameError.BadConnectionHeader, Assert.IsType<FrameException>(ex).Error);
    }

    [Fact]
    public async Task Responder_TamperedClientFinishPayload_FailsDecryption()
    {
        var finish = HandshakeMessage.Parser.ParseFrom(Hex(V.ClientFinishMessage).AsSpan(3));
        var payload = finish.ClientFinish.Payload.ToByteArray();
        payload[3] ^= 0x80;
        finish.ClientFinish.Payload = ByteString.CopyFrom(payload);

        var ex = await ResponderFailureAsync(async c =>
        {
            await c.SendAsync(Hex(V.ClientHelloMessage), Timeout);
            await c.ReceiveAsync(Timeout);
            await c.SendAsync(Frame(finish.ToByteArray()), Timeout);
        });

        Assert.Equal(NoiseHandshakeError.DecryptionFailed, Assert.IsType<NoiseHandshakeException>(ex).Error);
    }

    [Fact]
    public async Task Responder_ClientHelloAgainInsteadOfFinish_FailsMissingField()
    {
        var ex = await ResponderFailureAsync(async c =>
        {
            await c.SendAsync(Hex(V.ClientHelloMessage), Timeout);
            await c.ReceiveAsync(Timeout);
            await c.SendAsync(Hex(V.ClientHelloMessage).AsMemory(4), Timeout);
        });

        Assert.Equal(NoiseHandshakeError.MissingField, Assert.IsType<NoiseHandshakeException>(ex).Error);
    }

    [Fact]
    public void NoiseHandshake_Counter_ResetsOnMixKeyAndCountsEncryptAndDecryptTogether()
    {
        using var a = new NoiseHandshake(SocketConstants.ConnectionHeader);
        using var b = new NoiseHandshake(SocketConstants.ConnectionHeader);
        a.MixIntoKey("k"u8);
        b.MixIntoKey("k"u8);

        var c0 = a.Encrypt("x"u8);
        Assert.Equal(1u, a.Counter);
        Assert.Equal("x"u8.ToArray(), b.Decrypt(c0));
        var c1 = b.Encrypt("y"u8);
        Assert.Equal(2u, b.Counter);
        Assert.Equal("y"u8.ToArray(), a.Decrypt(c1));
        Assert.Equal(2u, a.Counter);
        Assert.Equal(a.Hash.ToArray(), b.Hash.ToArray());

        a.MixIntoKey("again"u8);
        Assert.Equal(0u, a.Counter);
    }

    [Fact]
    public void NoiseCipher_Nonce_IsEightZerosThenTheCounterBigEndian()
    {
        var nonce = new byte[12];
        NoiseCipher.WriteNonce(nonce, 0x01020304);
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4], nonce);
    }

    [Fact]
    public void SocketConstants_Pattern_Is32BytesAndExact()
    {
        Assert.Equal("4e6f6973655f58585f32353531395f41455347434d5f53484132353600000000", Convert.ToHexStringLower(SocketConstants.NoisePattern));
        Assert.Equal([0x57, 0x41, 0x06, 0x03], SocketConstants.ConnectionHeader.ToArray());
    }
}
