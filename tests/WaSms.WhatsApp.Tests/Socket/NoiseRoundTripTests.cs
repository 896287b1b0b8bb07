using Microsoft.Extensions.Time.Testing;
using WaSms.WhatsApp.Crypto;
using WaSms.Emulators.WhatsApp.Socket;
using WaSms.WhatsApp.Socket;

namespace WaSms.WhatsApp.Tests.Socket;

/// <summary>Our initiator against our responder, over the in-memory pipe and over a real loopback WebSocket.</summary>
public sealed class NoiseRoundTripTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Payload = "client payload bytes"u8.ToArray();

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token;

    private static async Task<(NoiseInitiatorResult Client, NoiseResponderResult Server, Curve25519KeyPair NoiseKey)> HandshakeAsync(IMessageTransport clientEnd, IMessageTransport serverEnd)
    {
        var clock = new FakeTimeProvider(Now);
        var serverStatic = Curve25519KeyPair.Generate();
        var chain = new TestCertificateChain(serverStatic.PublicKey.Span, Now);
        var noiseKey = Curve25519KeyPair.Generate();
        var responder = new NoiseResponder(serverStatic, chain.ToByteArray(), clock);
        var initiator = new NoiseInitiator(noiseKey, new CertificateChainVerifier(chain.Trust, clock), clock);

        var server = responder.AcceptAsync(FrameSocket.ForServer(serverEnd), Timeout);
        var client = await initiator.HandshakeAsync(FrameSocket.ForClient(clientEnd), Payload, Timeout);
        var accepted = await server;
        Assert.Equal(serverStatic.PublicKey.ToArray(), client.ServerStaticKey.ToArray());
        return (client, accepted, noiseKey);
    }

    [Fact]
    public async Task Handshake_InMemory_DeliversPayloadAndStaticKeys()
    {
        var (clientEnd, serverEnd) = InMemoryTransport.CreatePair();
        var (client, server, noiseKey) = await HandshakeAsync(clientEnd, serverEnd);

        Assert.Equal(Payload, server.ClientPayload.ToArray());
        Assert.Equal(noiseKey.PublicKey.ToArray(), server.ClientStaticKey.ToArray());
        Assert.Equal([0x57, 0x41, 0x06, 0x03], server.Socket.Frames.Header.ToArray());

        await client.Socket.SendFrameAsync("ping"u8.ToArray(), Timeout);
        Assert.Equal("ping"u8.ToArray(), await server.Socket.ReceiveFrameAsync(Timeout));
        await server.Socket.SendFrameAsync("pong"u8.ToArray(), Timeout);
        Assert.Equal("pong"u8.ToArray(), await client.Socket.ReceiveFrameAsync(Timeout));
    }

    [Fact]
    public async Task Transport_CountersAdvancePerDirectionIndependently()
    {
        var (clientEnd, serverEnd) = InMemoryTransport.CreatePair();
        var (client, server, _) = await HandshakeAsync(clientEnd, serverEnd);

        for (var i = 0; i < 3; i++)
        {
            await client.Socket.SendFrameAsync(new[] { (byte)i }, Timeout);
        }

        await server.Socket.SendFrameAsync("only one"u8.ToArray(), Timeout);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(new[] { (byte)i }, await server.Socket.ReceiveFrameAsync(Timeout));
        }

        Assert.Equal("only one"u8.ToArray(), await client.Socket.ReceiveFrameAsync(Timeout));
        Assert.Equal(3UL, client.Socket.WriteCounter);
        Assert.Equal(1UL, client.Socket.ReadCounter);
        Assert.Equal(1UL, server.Socket.WriteCounter);
        Assert.Equal(3UL, server.Socket.ReadCounter);
    }

    [Fact]
    public async Task Transport_SameCounterTwice_ProducesDifferentCiphertextPerDirection()
    {
        var (clientEnd, serverEnd) = InMemoryTransport.CreatePair();
        var rawServer = new RecordingTransport(serverEnd);
        var rawClient = new RecordingTransport(clientEnd);
        var (client, server, _) = await HandshakeAsync(rawClient, rawServer);

        await client.Socket.SendFrameAsync("same"u8.ToArray(), Timeout);
        await server.Socket.SendFrameAsync("same"u8.ToArray(), Timeout);
        await server.Socket.ReceiveFrameAsync(Timeout);
        await client.Socket.ReceiveFrameAsync(Timeout);

        // Both are counter 0 but under different keys.
        Assert.NotEqual(rawClient.Sent[^1], rawServer.Sent[^1]);
    }

    [Fact]
    public async Task Transport_TamperedFrame_ThrowsFrameDecryptionAndStillAdvancesTheCounter()
    {
        var (clientEnd, serverEnd) = InMemoryTransport.CreatePair();
        var (client, _, _) = await HandshakeAsync(clientEnd, serverEnd);

        await serverEnd.SendAsync(new byte[] { 0, 0, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 }, Timeout);

        var ex = await Assert.ThrowsAsync<FrameDecryptionException>(async () => await client.Socket.ReceiveFrameAsync(Timeout));
        Assert.Equal(0u, ex.Counter);
        Assert.Equal(1UL, client.Socket.ReadCounter);
    }

    [Fact]
    public async Task Handshake_OverLoopbackWebSocket_CompletesAndCarriesFrames()
    {
        await using var pair = await TransportPair.LoopbackWebSocketAsync(Timeout);
        var (client, server, _) = await HandshakeAsync(pair.Client, pair.Server);

        Assert.Equal(Payload, server.ClientPayload.ToArray());
        var big = new byte[200_000];
        new Random(1).NextBytes(big);
        await client.Socket.SendFrameAsync(big, Timeout);
        Assert.Equal(big, await server.Socket.ReceiveFrameAsync(Timeout));
        await server.Socket.SendFrameAsync("hello over ws"u8.ToArray(), Timeout);
        Assert.Equal("hello over ws"u8.ToArray(), await client.Socket.ReceiveFrameAsync(Timeout));

        await client.Socket.CloseAsync(Timeout);
        await Assert.ThrowsAsync<SocketClosedException>(async () => await server.Socket.ReceiveFrameAsync(Timeout));
    }

    /// <summary>Passes messages through and keeps a copy of each one sent.</summary>
    private sealed class RecordingTransport(IMessageTransport inner) : IMessageTransport
    {
        public List<byte[]> Sent { get; } = [];

        public ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
        {
            Sent.Add(message.ToArray());
            return inner.SendAsync(message, cancellationToken);
        }

        public ValueTask<ReadOnlyMemory<byte>> ReceiveAsync(CancellationToken cancellationToken) => inner.ReceiveAsync(cancellationToken);

        public ValueTask CloseAsync(CancellationToken cancellationToken) => inner.CloseAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
