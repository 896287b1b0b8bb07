using Microsoft.Extensions.Time.Testing;
using WaSms.WhatsApp.Crypto;
using WaSms.Emulators.WhatsApp.Socket;
using WaSms.WhatsApp.Socket;

namespace WaSms.WhatsApp.Tests.Socket;

/// <summary>Random input may only ever raise the socket layer's typed exceptions.</summary>
public sealed class HandshakeFuzzTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token;

    [Fact]
    public void CertificateChainVerifier_RandomBytes_OnlyCertificateChainException()
    {
        var random = new Random(FuzzSettings.Seed(1234));
        var verifier = new CertificateChainVerifier(CertificateTrust.WhatsApp, new FakeTimeProvider(Now));
        for (var i = 0; i < FuzzSettings.Cases(2000); i++)
        {
            var input = new byte[random.Next(0, 200)];
            random.NextBytes(input);
            Assert.Throws<CertificateChainException>(() => verifier.Verify(input, new byte[32]));
        }
    }

    [Fact]
    public async Task Initiator_RandomServerHello_OnlyTypedHandshakeErrors()
    {
        var random = new Random(FuzzSettings.Seed(99));
        var clock = new FakeTimeProvider(Now);
        for (var i = 0; i < FuzzSettings.Cases(200); i++)
        {
            var payload = new byte[random.Next(0, 120)];
            random.NextBytes(payload);
            if (i % 2 == 0 && payload.Length > 2)
            {
                payload[0] = 0x1A; // serverHello field, length-delimited
                payload[1] = (byte)(payload.Length - 2);
            }

            var (clientEnd, serverEnd) = InMemoryTransport.CreatePair();
            var initiator = new NoiseInitiator(Curve25519KeyPair.Generate(), new CertificateChainVerifier(CertificateTrust.WhatsApp, clock), clock);
            var handshake = initiator.HandshakeAsync(FrameSocket.ForClient(clientEnd), default, Timeout);
            await serverEnd.ReceiveAsync(Timeout);
            await serverEnd.SendAsync((byte[])[(byte)(payload.Length >> 16), (byte)(payload.Length >> 8), (byte)payload.Length, .. payload], Timeout);

            await Assert.ThrowsAsync<NoiseHandshakeException>(() => handshake);
        }
    }

    [Fact]
    public async Task Responder_RandomClientHello_OnlyTypedSocketErrors()
    {
        var random = new Random(FuzzSettings.Seed(7));
        var serverStatic = Curve25519KeyPair.Generate();
        var chain = new TestCertificateChain(serverStatic.PublicKey.Span, Now).ToByteArray();
        for (var i = 0; i < FuzzSettings.Cases(200); i++)
        {
            var message = new byte[random.Next(0, 80)];
            random.NextBytes(message);
            if (i % 2 == 0 && message.Length > 7)
            {
                message[0] = 0x57;
                message[1] = 0x41;
                message[2] = 0x06;
                message[3] = 0x03;
                message[4] = 0;
                message[5] = 0;
                message[6] = (byte)(message.Length - 7);
            }

            var (clientEnd, serverEnd) = InMemoryTransport.CreatePair();
            var responder = new NoiseResponder(serverStatic, chain);
            var accept = responder.AcceptAsync(FrameSocket.ForServer(serverEnd), Timeout);
            await clientEnd.SendAsync(message, Timeout);
            await clientEnd.CloseAsync(Timeout);

            await Assert.ThrowsAnyAsync<WaSocketException>(() => accept);
        }
    }
}
