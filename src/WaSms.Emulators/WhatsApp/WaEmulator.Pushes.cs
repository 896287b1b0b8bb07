using System.Globalization;
using WaSms.Emulators.WhatsApp.Socket;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Socket;

namespace WaSms.Emulators.WhatsApp;

/// <summary>What the server pushes unasked: notifications, and the faults tests inject.</summary>
public sealed partial class WaEmulator
{
    /// <summary>
    /// Fault injection: sends <c>&lt;stream:error code="N"&gt;</c> (with a <c>&lt;conflict type=…/&gt;</c>
    /// child when <paramref name="conflict"/> is set) to every logged-in connection, then closes them
    /// (docs/whatsapp.md §6, from whatsmeow connectionevents.go handleStreamError: 401 device_removed,
    /// conflict replaced, 503, 515).
    /// </summary>
    /// <returns>How many connections got it.</returns>
    public async Task<int> SendStreamErrorAsync(int? code, string? conflict, CancellationToken cancellationToken)
    {
        var attributes = code is { } c ? new[] { ("code", (AttrValue)c.ToString(CultureInfo.InvariantCulture)) } : [];
        var node = conflict is null
            ? NodeHelpers.Make("stream:error", attributes)
            : NodeHelpers.Make("stream:error", attributes, NodeHelpers.Make("conflict", ("type", conflict)));
        var count = 0;
        foreach (var connection in LoggedIn)
        {
            await connection.SendAsync(node, cancellationToken);
            await connection.CloseAsync();
            count++;
        }

        return count;
    }

    /// <summary>
    /// Fault injection: sends every logged-in connection a frame that decrypts but whose node is
    /// cut in half (or, with <paramref name="compressed"/>, whose zlib stream is cut in half). A
    /// client must drop the connection with a clear error and reconnect.
    /// </summary>
    /// <returns>How many connections got it.</returns>
    public async Task<int> SendTruncatedFrameAsync(bool compressed, CancellationToken cancellationToken)
    {
        var node = NodeHelpers.Make(
            "notification",
            [("from", Jid.WhatsAppServer), ("type", "server_sync"), ("id", "truncated")],
            NodeHelpers.MakeBytes("collection", [("name", "regular")], new byte[64]));
        var whole = compressed ? FramePayload.Compress(NodeEncoder.Encode(node)) : NodeEncoder.EncodeFrame(node);
        var count = 0;
        foreach (var connection in LoggedIn)
        {
            await connection.SendRawAsync(whole[..(whole.Length / 2)], cancellationToken);
            count++;
        }

        return count;
    }

    /// <summary>
    /// Fault injection: sends every logged-in connection a frame over the client's size limits —
    /// with <paramref name="compressed"/>, a small zlib bomb whose node inflates to
    /// <paramref name="size"/> bytes; otherwise a plain frame of <paramref name="size"/> bytes.
    /// A client must drop the connection with a protocol error (not run out of memory) and reconnect.
    /// </summary>
    /// <returns>How many connections got it.</returns>
    public async Task<int> SendOversizedFrameAsync(bool compressed, int size, CancellationToken cancellationToken)
    {
        byte[] payload;
        if (compressed)
        {
            // Zeros compress about 1000:1, so 24 MiB of node travels in a frame of ~24 KB.
            using var output = new MemoryStream();
            output.WriteByte(FramePayload.CompressedFlag);
            using (var zlib = new System.IO.Compression.ZLibStream(output, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
            {
                var zeros = new byte[64 * 1024];
                for (var left = size; left > 0; left -= zeros.Length)
                {
                    zlib.Write(zeros, 0, Math.Min(left, zeros.Length));
                }
            }

            payload = output.ToArray();
        }
        else
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(size, SocketConstants.MaxFrameSize);
            payload = new byte[size];
        }

        var count = 0;
        foreach (var connection in LoggedIn)
        {
            try
            {
                await connection.SendRawAsync(payload, cancellationToken);
            }
            catch (Exception ex) when (ex is WaSocketException or ObjectDisposedException)
            {
                // The client hung up while the frame was still going out: what it should do.
            }
            count++;
        }

        return count;
    }

    /// <summary>
    /// Sends <c>&lt;notification type="companion_reg_refresh"&gt;&lt;companion_reg_refresh/&gt;&lt;/notification&gt;</c>
    /// to every connection that is showing refs (docs/whatsapp.md §4.5): the device must rotate its
    /// ADV secret and re-render its QR.
    /// </summary>
    /// <returns>How many connections got it.</returns>
    public async Task<int> SendCompanionRegRefreshAsync(CancellationToken cancellationToken)
    {
        var count = 0;
        foreach (var connection in _connections.Keys.Where(c => c.Refs.Count > 0 && !c.IsLoggedIn))
        {
            var now = Time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            await connection.SendAsync(
                NodeHelpers.Make(
                    "notification",
                    [("from", Jid.WhatsAppServer), ("type", "companion_reg_refresh"), ("id", connection.NextId()), ("t", now)],
                    NodeHelpers.Make("companion_reg_refresh")),
                cancellationToken);
            count++;
        }

        return count;
    }

    /// <summary>
    /// Sends the low-prekey push <c>&lt;notification type="encrypt"&gt;&lt;count value="N"/&gt;</c>
    /// (docs/whatsapp.md §6.2) to every logged-in connection, N being what the server holds for it.
    /// </summary>
    /// <returns>How many connections got it.</returns>
    public async Task<int> SendPreKeyCountAsync(CancellationToken cancellationToken)
    {
        var sent = 0;
        foreach (var connection in LoggedIn.Where(c => c.Device is not null))
        {
            await connection.SendAsync(PreKeyCountNotification(PreKeyCount(connection.Device!.Jid)), cancellationToken);
            sent++;
        }

        return sent;
    }

    /// <summary>The low-prekey push <c>&lt;notification type="encrypt" from="s.whatsapp.net"&gt;&lt;count value/&gt;</c> (docs/protocol/messaging.md §10).</summary>
    internal Node PreKeyCountNotification(int left) =>
        NodeHelpers.Make(
            "notification",
            [("from", Jid.WhatsAppServer), ("type", "encrypt"), ("id", NextPushId()), ("t", Time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture))],
            NodeHelpers.Make("count", ("value", left.ToString(CultureInfo.InvariantCulture))));
}
