using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace WaSms.Gateway.Tests.Tunnel;

/// <summary>
/// A platform peer for tests that speaks raw JSON text, written from docs/tunnel.md (no gateway code):
/// real TLS on loopback with a CA made here, a WebSocket upgrade answering the v1 subprotocol, and
/// connections a test scripts frame by frame — so it can also send malformed, replayed or out-of-order frames.
/// </summary>
internal sealed class ScriptedPlatform : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2 _leaf;
    private readonly string? _subProtocol;

    /// <param name="directory">Where the CA's PEM is written.</param>
    /// <param name="leafHost">The DNS name the server certificate is for.</param>
    /// <param name="notBefore">When the server certificate starts being valid.</param>
    public ScriptedPlatform(string directory, string leafHost = "localhost", DateTimeOffset? notBefore = null, string? subProtocol = "wasms-tunnel.v1")
    {
        _subProtocol = subProtocol;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Test Platform CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        var from = notBefore ?? now.AddDays(-1);
        using var ca = caRequest.CreateSelfSigned((from < now ? from : now).AddDays(-30), now.AddYears(5));
        CaFile = Path.Combine(directory, $"platform-ca-{Guid.NewGuid():N}.pem");
        File.WriteAllText(CaFile, ca.ExportCertificatePem());

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest($"CN={leafHost}", leafKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(leafHost);
        leafRequest.CertificateExtensions.Add(names.Build());
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var issued = leafRequest.Create(ca, from, from.AddYears(1), [1, 2, 3, 4]);
        using var withKey = issued.CopyWithPrivateKey(leafKey);
        // A PFX round trip gives SslStream a key it can use on every platform.
        _leaf = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        LeafSha256 = Convert.ToHexStringLower(SHA256.HashData(_leaf.RawData));
        _listener.Start();
    }

    public string CaFile { get; }

    public string LeafSha256 { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Url => $"wss://localhost:{Port}/tunnel";

    /// <summary>Connections accepted so far (each TLS handshake attempt counts, also a refused one).</summary>
    public int Accepted { get; private set; }

    /// <summary>The next gateway connection, upgraded; null when its TLS handshake failed (the gateway refused us).</summary>
    public async Task<PeerConnection?> AcceptAsync(CancellationToken cancellationToken)
    {
        var client = await _listener.AcceptTcpClientAsync(cancellationToken);
        Accepted++;
        var ssl = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _leaf }, cancellationToken);
            var request = await ReadRequestAsync(ssl, cancellationToken);
            var key = request.Split("\r\n").First(l => l.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase))[18..].Trim();
#pragma warning disable CA5350 // RFC 6455 §4.2.2 fixes SHA-1 for Sec-WebSocket-Accept; it is not used for security here.
            var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350
            var response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                           $"Sec-WebSocket-Accept: {accept}\r\n" + (_subProtocol is null ? "" : $"Sec-WebSocket-Protocol: {_subProtocol}\r\n") + "\r\n";
            await ssl.WriteAsync(Encoding.ASCII.GetBytes(response), cancellationToken);
            var socket = WebSocket.CreateFromStream(ssl, new WebSocketCreationOptions { IsServer = true, SubProtocol = _subProtocol, KeepAliveInterval = TimeSpan.Zero });
            return new PeerConnection(socket, client);
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException)
        {
            client.Dispose();
            return null;
        }
    }

    private static async Task<string> ReadRequestAsync(Stream stream, CancellationToken cancellationToken)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (!(bytes.Count >= 4 && bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n'))
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                throw new IOException("the gateway closed before its upgrade request ended");
            }
            bytes.Add(one[0]);
        }
        return Encoding.ASCII.GetString(bytes.ToArray());
    }

    public ValueTask DisposeAsync()
    {
        _listener.Stop();
        _leaf.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>One gateway connection on the platform's side: raw JSON text in and out.</summary>
internal sealed class PeerConnection(WebSocket socket, TcpClient client) : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public Task SendAsync(string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>Any bytes as one message of <paramref name="type"/> (a malformed, oversized or binary frame).</summary>
    public Task SendRawAsync(byte[] bytes, WebSocketMessageType type) => socket.SendAsync(bytes, type, true, CancellationToken.None);

    /// <summary>The close status the gateway sent, once <see cref="ReceiveAsync()"/> returned null.</summary>
    public WebSocketCloseStatus? CloseStatus => socket.CloseStatus;

    /// <summary>The next frame the gateway sent, or null when it closed.</summary>
    public async Task<JsonElement?> ReceiveAsync()
    {
        using var patience = new CancellationTokenSource(Patience);
        var buffer = new byte[300 * 1024];
        var length = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(length), patience.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            length += result.Count;
            if (result.EndOfMessage)
            {
                return JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone();
            }
        }
    }

    /// <summary>The next frame of <paramref name="type"/>, skipping others (state, pairing, ping are sent whenever they like).</summary>
    public async Task<JsonElement> ReceiveAsync(string type, List<JsonElement>? skipped = null)
    {
        while (true)
        {
            var frame = await ReceiveAsync() ?? throw new InvalidOperationException($"the gateway closed while a {type} frame was expected");
            if (frame.GetProperty("type").GetString() == type)
            {
                return frame;
            }
            skipped?.Add(frame);
        }
    }

    /// <summary>Frames until the gateway closes; returns them.</summary>
    public async Task<List<JsonElement>> ReceiveUntilClosedAsync()
    {
        var frames = new List<JsonElement>();
        try
        {
            while (await ReceiveAsync() is { } frame)
            {
                frames.Add(frame);
            }
        }
        catch (WebSocketException)
        {
            // closed without a close frame
        }
        return frames;
    }

    public ValueTask DisposeAsync()
    {
        socket.Abort();
        socket.Dispose();
        client.Dispose();
        return ValueTask.CompletedTask;
    }
}
