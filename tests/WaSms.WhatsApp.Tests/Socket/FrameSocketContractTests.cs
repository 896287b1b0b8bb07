using WaSms.WhatsApp.Socket;

namespace WaSms.WhatsApp.Tests.Socket;

/// <summary>Framing behaviour that must hold on every transport (run once per transport).</summary>
public abstract class FrameSocketContractTests
{
    private static readonly byte[] Header = [0x57, 0x41, 0x06, 0x03];

    protected static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token;

    internal abstract Task<TransportPair> CreatePairAsync();

    [Fact]
    public async Task SendFrame_FirstMessage_StartsWithTheConnectionHeader()
    {
        await using var pair = await CreatePairAsync();
        var client = FrameSocket.ForClient(pair.Client);

        await client.SendFrameAsync(new byte[] { 0xAA, 0xBB }, Timeout);
        await client.SendFrameAsync(new byte[] { 0xCC }, Timeout);

        Assert.Equal([0x57, 0x41, 0x06, 0x03, 0x00, 0x00, 0x02, 0xAA, 0xBB], (await pair.Server.ReceiveAsync(Timeout)).ToArray());
        Assert.Equal([0x00, 0x00, 0x01, 0xCC], (await pair.Server.ReceiveAsync(Timeout)).ToArray());
    }

    [Fact]
    public async Task ReceiveFrame_Server_StripsAndExposesTheHeader()
    {
        await using var pair = await CreatePairAsync();
        var client = FrameSocket.ForClient(pair.Client);
        var server = FrameSocket.ForServer(pair.Server);

        await client.SendFrameAsync(new byte[] { 1, 2, 3 }, Timeout);
        await client.SendFrameAsync(new byte[] { 4 }, Timeout);

        Assert.Equal([1, 2, 3], await server.ReceiveFrameAsync(Timeout));
        Assert.Equal(Header, server.Header.ToArray());
        Assert.Equal([4], await server.ReceiveFrameAsync(Timeout));
    }

    [Fact]
    public async Task ReceiveFrame_SeveralFramesInOneMessage_ReturnsEachInOrder()
    {
        await using var pair = await CreatePairAsync();
        var client = FrameSocket.ForClient(pair.Client);

        await pair.Server.SendAsync(new byte[] { 0, 0, 2, 0x10, 0x11, 0, 0, 0, 0, 0, 1, 0x12 }, Timeout);

        Assert.Equal([0x10, 0x11], await client.ReceiveFrameAsync(Timeout));
        Assert.Empty(await client.ReceiveFrameAsync(Timeout));
        Assert.Equal([0x12], await client.ReceiveFrameAsync(Timeout));
    }

    [Fact]
    public async Task SendFrames_Batch_GoesOutAsOneMessageOfWholeFrames()
    {
        await using var pair = await CreatePairAsync();
        var server = FrameSocket.ForServer(pair.Server);

        await server.SendFramesAsync([new byte[] { 7 }, new byte[] { 8, 9 }], Timeout);

        Assert.Equal([0, 0, 1, 7, 0, 0, 2, 8, 9], (await pair.Client.ReceiveAsync(Timeout)).ToArray());
    }

    [Fact]
    public async Task ReceiveFrame_FrameSpanningMessages_IsReassembled()
    {
        await using var pair = await CreatePairAsync();
        var client = FrameSocket.ForClient(pair.Client);

        await pair.Server.SendAsync(new byte[] { 0, 0 }, Timeout);
        await pair.Server.SendAsync(new byte[] { 4, 1, 2 }, Timeout);
        await pair.Server.SendAsync(new byte[] { 3, 4, 0, 0, 1, 5 }, Timeout);

        Assert.Equal([1, 2, 3, 4], await client.ReceiveFrameAsync(Timeout));
        Assert.Equal([5], await client.ReceiveFrameAsync(Timeout));
    }

    [Fact]
    public async Task ReceiveFrame_LargeFrame_RoundTrips()
    {
        await using var pair = await CreatePairAsync();
        var client = FrameSocket.ForClient(pair.Client);
        var server = FrameSocket.ForServer(pair.Server);
        var payload = new byte[300_000];
        new Random(5).NextBytes(payload);

        await client.SendFrameAsync(payload, Timeout);

        Assert.Equal(payload, await server.ReceiveFrameAsync(Timeout));
    }

    [Fact]
    public async Task SendFrame_OverMaxFrameSize_ThrowsTooLarge()
    {
        await using var pair = await CreatePairAsync();
        var client = FrameSocket.ForClient(pair.Client, maxFrameSize: 16);

        var ex = await Assert.ThrowsAsync<FrameException>(async () => await client.SendFrameAsync(new byte[17], Timeout));

        Assert.Equal(FrameError.TooLarge, ex.Error);
    }

    [Fact]
    public async Task ReceiveFrame_AnnouncedLengthOverMax_ThrowsTooLargeAndStaysFaulted()
    {
        await using var pair = await CreatePairAsync();
        var client = FrameSocket.ForClient(pair.Client, maxFrameSize: 16);

        await pair.Server.SendAsync(new byte[] { 0, 0, 17, 1, 2, 3 }, Timeout);

        Assert.Equal(FrameError.TooLarge, (await Assert.ThrowsAsync<FrameException>(async () => await client.ReceiveFrameAsync(Timeout))).Error);
        Assert.Equal(FrameError.TooLarge, (await Assert.ThrowsAsync<FrameException>(async () => await client.ReceiveFrameAsync(Timeout))).Error);
    }

    [Fact]
    public async Task ReceiveFrame_ConnectionClosesInsideAFrame_ThrowsTruncated()
    {
        await using var pair = await CreatePairAsync();
        var client = FrameSocket.ForClient(pair.Client);

        await pair.Server.SendAsync(new byte[] { 0, 0, 9, 1, 2 }, Timeout);
        await pair.Server.CloseAsync(Timeout);

        var ex = await Assert.ThrowsAsync<FrameException>(async () => await client.ReceiveFrameAsync(Timeout));
        Assert.Equal(FrameError.Truncated, ex.Error);
    }

    [Fact]
    public async Task ReceiveFrame_ConnectionClosesInsideALengthPrefix_ThrowsTruncated()
    {
        await using var pair = await CreatePairAsync();
        var client = FrameSocket.ForClient(pair.Client);

        await pair.Server.SendAsync(new byte[] { 0, 0 }, Timeout);
        await pair.Server.CloseAsync(Timeout);

        var ex = await Assert.ThrowsAsync<FrameException>(async () => await client.ReceiveFrameAsync(Timeout));
        Assert.Equal(FrameError.Truncated, ex.Error);
    }

    [Fact]
    public async Task ReceiveFrame_ConnectionClosesBetweenFrames_ThrowsSocketClosed()
    {
        await using var pair = await CreatePairAsync();
        var client = FrameSocket.ForClient(pair.Client);

        await pair.Server.SendAsync(new byte[] { 0, 0, 1, 9 }, Timeout);
        await pair.Server.CloseAsync(Timeout);

        Assert.Equal([9], await client.ReceiveFrameAsync(Timeout));
        await Assert.ThrowsAsync<SocketClosedException>(async () => await client.ReceiveFrameAsync(Timeout));
    }

    [Fact]
    public async Task ReceiveFrame_ServerGetsNoWaHeader_ThrowsBadConnectionHeader()
    {
        await using var pair = await CreatePairAsync();
        var server = FrameSocket.ForServer(pair.Server);

        await pair.Client.SendAsync(new byte[] { 0x47, 0x45, 0x54, 0x20, 0, 0, 1, 1 }, Timeout);

        var ex = await Assert.ThrowsAsync<FrameException>(async () => await server.ReceiveFrameAsync(Timeout));
        Assert.Equal(FrameError.BadConnectionHeader, ex.Error);
    }

    [Fact]
    public async Task ReceiveFrame_BaileysEdgeRoutingIntro_IsSkippedAndRecorded()
    {
        await using var pair = await CreatePairAsync();
        var server = FrameSocket.ForServer(pair.Server);

        await pair.Client.SendAsync(new byte[] { (byte)'E', (byte)'D', 0, 1, 0, 0, 2, 0xAB, 0xCD, 0x57, 0x41, 0x06, 0x03, 0, 0, 1, 0x42 }, Timeout);

        Assert.Equal([0x42], await server.ReceiveFrameAsync(Timeout));
        Assert.Equal(Header, server.Header.ToArray());
        Assert.Equal([0xAB, 0xCD], server.RoutingInfo.ToArray());
    }
}

public sealed class InMemoryFrameSocketTests : FrameSocketContractTests
{
    internal override Task<TransportPair> CreatePairAsync() => Task.FromResult(TransportPair.InMemory());
}

public sealed class WebSocketFrameSocketTests : FrameSocketContractTests
{
    internal override Task<TransportPair> CreatePairAsync() => TransportPair.LoopbackWebSocketAsync(Timeout);

    [Fact]
    public async Task ConnectAsync_SendsWhatsAppOriginToTheGivenPath()
    {
        using var listener = new LoopbackWebSocketServer();
        var accept = listener.AcceptAsync(Timeout);
        await using var client = await WebSocketTransport.ConnectAsync(listener.Uri, Timeout);
        await using var server = await accept;

        Assert.Equal("https://web.whatsapp.com", listener.RequestHeaders["Origin"]);
        Assert.StartsWith("GET /ws/chat ", listener.RequestLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_NothingListening_ThrowsSocketConnectException()
    {
        int port;
        using (var probe = new LoopbackWebSocketServer())
        {
            port = probe.Uri.Port;
        }

        await Assert.ThrowsAsync<SocketConnectException>(() => WebSocketTransport.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/ws/chat"), Timeout));
    }
}
