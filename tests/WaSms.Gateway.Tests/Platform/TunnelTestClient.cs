using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace WaSms.Gateway.Tests.Platform;

/// <summary>
/// A gateway side written from docs/tunnel.md for the tests (not the gateway's client): a raw
/// <see cref="ClientWebSocket"/> over TLS trusting only the emulator's CA file, an ECDSA P-256
/// device key, and the enroll/hello signatures over the doc's exact strings.
/// </summary>
internal sealed class TunnelTestClient : IAsyncDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(15);
    private readonly ClientWebSocket _socket = new();

    private readonly bool _ownsKey;

    private TunnelTestClient(ECDsa key, bool ownsKey)
    {
        Key = key;
        _ownsKey = ownsKey;
    }

    public ECDsa Key { get; }

    public string Nonce { get; private set; } = "";

    public WebSocket Socket => _socket;

    /// <summary>Connects with subprotocol wasms-tunnel.v1, checks the certificate against <paramref name="caFile"/> and the host name, and reads the challenge.</summary>
    public static async Task<TunnelTestClient> ConnectAsync(Uri url, string caFile, ECDsa? key = null)
    {
        var client = new TunnelTestClient(key ?? ECDsa.Create(ECCurve.NamedCurves.nistP256), key is null);
        using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(caFile));
        var caDer = ca.RawData;
        client._socket.Options.AddSubProtocol("wasms-tunnel.v1");
        client._socket.Options.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            using var root = X509CertificateLoader.LoadCertificate(caDer);
            chain.ChainPolicy.CustomTrustStore.Add(root);
            return chain.Build(new X509Certificate2(certificate));
        };
        using var timeout = new CancellationTokenSource(ReadTimeout);
        await client._socket.ConnectAsync(url, timeout.Token);
        Assert.Equal("wasms-tunnel.v1", client._socket.SubProtocol);
        var challenge = await client.ReadAsync();
        Assert.Equal("challenge", (string?)challenge["type"]);
        client.Nonce = (string)challenge["nonce"]!;
        var nonceBytes = System.Buffers.Text.Base64Url.DecodeFromChars(client.Nonce);
        Assert.InRange(nonceBytes.Length, 16, 64);
        Assert.EndsWith("Z", (string)challenge["time"]!, StringComparison.Ordinal);
        return client;
    }

    public string PublicKey => Convert.ToBase64String(Key.ExportSubjectPublicKeyInfo());

    public string Sign(string payload) =>
        Convert.ToBase64String(Key.SignData(Encoding.UTF8.GetBytes(payload), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

    public JsonObject EnrollFrame(string code) => new()
    {
        ["type"] = "enroll", ["v"] = 1, ["code"] = code, ["publicKey"] = PublicKey,
        ["signature"] = Sign("wasms-tunnel-v1 enroll\n" + Nonce + "\n" + code), ["firmware"] = "test", ["board"] = "test",
    };

    public JsonObject HelloFrame(string gatewayId, long platformSeq, string? signedNonce = null) => new()
    {
        ["type"] = "hello", ["v"] = 1, ["gatewayId"] = gatewayId,
        ["signature"] = Sign("wasms-tunnel-v1 hello\n" + (signedNonce ?? Nonce) + "\n" + gatewayId),
        ["firmware"] = "test", ["board"] = "test", ["resume"] = new JsonObject { ["platformSeq"] = platformSeq },
    };

    /// <summary>enroll → enrolled; returns the gatewayId and account.</summary>
    public async Task<(string GatewayId, string Account)> EnrollAsync(string code)
    {
        await SendAsync(EnrollFrame(code));
        var enrolled = await ReadAsync();
        Assert.Equal("enrolled", (string?)enrolled["type"]);
        return ((string)enrolled["gatewayId"]!, (string)enrolled["account"]!);
    }

    /// <summary>hello → welcome.</summary>
    public async Task<JsonObject> HelloAsync(string gatewayId, long platformSeq = 0)
    {
        await SendAsync(HelloFrame(gatewayId, platformSeq));
        var welcome = await ReadAsync();
        Assert.True((string?)welcome["type"] == "welcome", welcome.ToJsonString());
        return welcome;
    }

    public Task SendAsync(JsonObject frame) => SendTextAsync(frame.ToJsonString());

    public async Task SendTextAsync(string text)
    {
        using var timeout = new CancellationTokenSource(ReadTimeout);
        await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
    }

    /// <summary>The next frame (throws when the socket closes or nothing comes within 15 s).</summary>
    public async Task<JsonObject> ReadAsync()
    {
        using var timeout = new CancellationTokenSource(ReadTimeout);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        WebSocketReceiveResult result;
        do
        {
            result = await _socket.ReceiveAsync(chunk, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException($"closed: {result.CloseStatus} {result.CloseStatusDescription}");
            }

            buffer.Write(chunk, 0, result.Count);
        }
        while (!result.EndOfMessage);
        Assert.Equal(WebSocketMessageType.Text, result.MessageType);
        return JsonNode.Parse(buffer.ToArray())!.AsObject();
    }

    /// <summary>Reads frames until one of <paramref name="type"/> (answering nothing in between); the skipped ones are returned too.</summary>
    public async Task<JsonObject> ReadUntilAsync(string type, List<JsonObject>? skipped = null)
    {
        while (true)
        {
            var frame = await ReadAsync();
            if ((string?)frame["type"] == type)
            {
                return frame;
            }

            skipped?.Add(frame);
        }
    }

    /// <summary>Expects <c>error</c> with <paramref name="code"/>, then the server's close with <paramref name="closeStatus"/>.</summary>
    public async Task<JsonObject> ExpectErrorAsync(string code, WebSocketCloseStatus closeStatus)
    {
        var error = await ReadUntilAsync("error");
        Assert.Equal(code, (string?)error["code"]);
        Assert.False(string.IsNullOrEmpty((string?)error["message"]));
        using var timeout = new CancellationTokenSource(ReadTimeout);
        var result = await _socket.ReceiveAsync(new byte[1024], timeout.Token);
        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(closeStatus, result.CloseStatus);
        return error;
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        _socket.Dispose();
        await Task.CompletedTask;
        if (_ownsKey)
        {
            Key.Dispose();
        }
    }
}
