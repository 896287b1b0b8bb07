using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;

namespace WaSms.Emulators.Shared;

/// <summary>An HTTP/1.1 upgrade request as read from a client: the request line and its headers.</summary>
public sealed record WebSocketUpgradeRequest(string RequestLine, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// The server side of the HTTP/1.1 WebSocket upgrade (RFC 6455 §4.2), written by hand over a
/// <see cref="Stream"/> (a TCP or TLS stream) so a fake server needs no Kestrel: read the request head, answer
/// 101 (or an error status), then <see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/>.
/// </summary>
public static class WebSocketUpgrade
{
    private const int MaxRequestHeadBytes = 8 * 1024;

    /// <summary>Reads the request head; null when the client closed first or sent more than 8 KiB.</summary>
    public static async Task<WebSocketUpgradeRequest?> ReadRequestAsync(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var bytes = new List<byte>();
        var one = new byte[1];
        while (bytes.Count < 4 || !(bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n'))
        {
            if (bytes.Count >= MaxRequestHeadBytes || await stream.ReadAsync(one, cancellationToken) == 0)
            {
                return null;
            }

            bytes.Add(one[0]);
        }

        var lines = Encoding.ASCII.GetString([.. bytes]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        return new WebSocketUpgradeRequest(lines.Length > 0 ? lines[0] : string.Empty, headers);
    }

    /// <summary>Refuses the upgrade with <paramref name="status"/> (e.g. <c>403 Forbidden</c>).</summary>
    public static async Task RejectAsync(Stream stream, string status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), cancellationToken);
    }

    /// <summary>
    /// Answers 101 Switching Protocols (with a <c>Date</c> header when <paramref name="date"/> is given,
    /// and <c>Sec-WebSocket-Protocol</c> when <paramref name="subProtocol"/> is) and returns the server WebSocket.
    /// </summary>
    /// <exception cref="ArgumentException">The request has no Sec-WebSocket-Key.</exception>
    public static async Task<WebSocket> AcceptAsync(Stream stream, WebSocketUpgradeRequest request, DateTimeOffset? date, CancellationToken cancellationToken, string? subProtocol = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Headers.TryGetValue("Sec-WebSocket-Key", out var key))
        {
            throw new ArgumentException("The request has no Sec-WebSocket-Key.", nameof(request));
        }

#pragma warning disable CA5350 // RFC 6455 §4.2.2 fixes SHA-1 for Sec-WebSocket-Accept; it is not used for security here.
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350
        var dateLine = date is { } d ? $"Date: {d.ToString("r", System.Globalization.CultureInfo.InvariantCulture)}\r\n" : string.Empty;
        var protocolLine = subProtocol is null ? string.Empty : $"Sec-WebSocket-Protocol: {subProtocol}\r\n";
        var response = $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n{protocolLine}{dateLine}\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(response), cancellationToken);
        await stream.FlushAsync(cancellationToken);
        return WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, SubProtocol = subProtocol });
    }
}
