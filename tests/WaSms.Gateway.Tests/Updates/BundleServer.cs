using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace WaSms.Gateway.Tests.Updates;

/// <summary>
/// An HTTPS file server on loopback for the downloader, written from RFC 9110 (no gateway code): a CA made here, one
/// file with a strong ETag, Range and If-Range answered with 206 — and, as a test scripts it, a body cut off mid-way
/// (the connection closed), no Range support, no Content-Length, or a status for every request.
/// </summary>
internal sealed class BundleServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2 _leaf;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public BundleServer(byte[] content, string caName = "Test Bundle CA")
    {
        Content = content;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN={caName}", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-30), now.AddYears(1));
        Ca = X509CertificateLoader.LoadCertificate(ca.RawData);

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=127.0.0.1", leafKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        leafRequest.CertificateExtensions.Add(names.Build());
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var issued = leafRequest.Create(ca, now.AddDays(-1), now.AddDays(30), [7, 7, 7, 7]);
        using var withKey = issued.CopyWithPrivateKey(leafKey);
        _leaf = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        _listener.Start();
        _accepting = AcceptLoopAsync();
    }

    /// <summary>The file served.</summary>
    public byte[] Content { get; set; }

    /// <summary>Its strong ETag (quotes included); null: none sent.</summary>
    public string? ETag { get; set; } = "\"bundle-v1\"";

    public X509Certificate2 Ca { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Uri UrlFor(string path = "/firmware/wasms-gateway-2.0.0.raucb") => new($"https://127.0.0.1:{Port}{path}");

    public string Sha256 => Convert.ToHexStringLower(SHA256.HashData(Content));

    /// <summary>False: Range is ignored, every answer is 200 with the whole file.</summary>
    public bool SupportsRange { get; set; } = true;

    /// <summary>False: no Content-Length, the body ends when the connection closes.</summary>
    public bool SendsLength { get; set; } = true;

    /// <summary>Request number (0-based) → body bytes after which that answer's connection is closed.</summary>
    public ConcurrentDictionary<int, int> CutAfter { get; } = new();

    /// <summary>A status for every request instead of the file (404…); null: serve the file.</summary>
    public HttpStatusCode? Status { get; set; }

    /// <summary>Every request's header block, in order.</summary>
    public ConcurrentQueue<IReadOnlyDictionary<string, string>> Requests { get; } = new();

    public IReadOnlyDictionary<string, string> Request(int index) => Requests.ElementAt(index);

    /// <summary>A client handler that trusts this server's CA only, with the usual chain and host name checks.</summary>
    public SocketsHttpHandler TrustingHandler() => new()
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { Ca },
                RevocationMode = X509RevocationMode.NoCheck,
            },
        },
    };

    private async Task AcceptLoopAsync()
    {
        var index = 0;
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            // One request per connection, in turn: request numbers follow the client's attempts.
            await ServeAsync(client, index++);
        }
    }

    private async Task ServeAsync(TcpClient client, int index)
    {
        using (client)
        {
            try
            {
                await using var ssl = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _leaf }, _stop.Token);
                var headers = await ReadHeadersAsync(ssl);
                Requests.Enqueue(headers);
                await AnswerAsync(ssl, headers, index);
                await ssl.ShutdownAsync();
            }
            catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException
                                           or ObjectDisposedException or SocketException)
            {
                // The client went away or refused our certificate.
            }
        }
    }

    private async Task AnswerAsync(SslStream ssl, IReadOnlyDictionary<string, string> headers, int index)
    {
        if (Status is { } status)
        {
            await ssl.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {(int)status} {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
            return;
        }
        var from = 0L;
        var partial = false;
        if (SupportsRange && headers.TryGetValue("range", out var range) && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
        {
            var ifRangeHolds = !headers.TryGetValue("if-range", out var ifRange) || ifRange == ETag;
            if (ifRangeHolds)
            {
                from = long.Parse(range[6..^1], CultureInfo.InvariantCulture);
                partial = true;
            }
        }
        var head = new StringBuilder(partial ? "HTTP/1.1 206 Partial Content\r\n" : "HTTP/1.1 200 OK\r\n");
        if (ETag is not null)
        {
            head.Append(CultureInfo.InvariantCulture, $"ETag: {ETag}\r\n");
        }
        if (SupportsRange)
        {
            head.Append("Accept-Ranges: bytes\r\n");
        }
        if (partial)
        {
            head.Append(CultureInfo.InvariantCulture, $"Content-Range: bytes {from}-{Content.Length - 1}/{Content.Length}\r\n");
        }
        if (SendsLength)
        {
            head.Append(CultureInfo.InvariantCulture, $"Content-Length: {Content.Length - from}\r\n");
        }
        head.Append("Content-Type: application/octet-stream\r\nConnection: close\r\n\r\n");
        await ssl.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        var body = Content.AsMemory((int)from);
        if (CutAfter.TryGetValue(index, out var cut) && cut < body.Length)
        {
            body = body[..cut]; // then the connection closes: a broken download
        }
        await ssl.WriteAsync(body);
        await ssl.FlushAsync();
    }

    private static async Task<IReadOnlyDictionary<string, string>> ReadHeadersAsync(Stream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (bytes.Count < 16384)
        {
            if (await stream.ReadAsync(one) == 0)
            {
                break;
            }
            bytes.Add(one[0]);
            if (bytes.Count >= 4 && bytes[^1] == '\n' && bytes[^2] == '\r' && bytes[^3] == '\n' && bytes[^4] == '\r')
            {
                break;
            }
        }
        var lines = Encoding.ASCII.GetString(bytes.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var headers = new Dictionary<string, string>(StringComparer.Ordinal) { ["request-line"] = lines.FirstOrDefault() ?? "" };
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
            }
        }
        return headers;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
        _leaf.Dispose();
        Ca.Dispose();
    }
}
