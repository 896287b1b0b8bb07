using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using WaSms.Emulators.Platform.Protocol;

namespace WaSms.Emulators.Platform.Tunnel;

/// <summary>
/// Reads one tunnel frame (docs/tunnel.md §1): one UTF-8 text message of at most 256 KiB holding a
/// JSON object with a <c>type</c> string; anything else is a <see cref="TunnelProtocolException"/>
/// with the doc's code. Also the typed field accessors, which name the field that was wrong.
/// </summary>
public sealed class FrameReader(WebSocket socket)
{
    private readonly byte[] _buffer = new byte[PlatformFrames.MaxFrameBytes + 1];

    /// <summary>The next frame, or null when the other side closed the connection.</summary>
    public async Task<JsonObject?> ReadAsync(CancellationToken cancellationToken)
    {
        var length = 0;
        while (true)
        {
            if (length == _buffer.Length)
            {
                throw new TunnelProtocolException("too-large", $"a frame is at most {PlatformFrames.MaxFrameBytes} bytes");
            }

            var result = await socket.ReceiveAsync(_buffer.AsMemory(length), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            if (result.MessageType == WebSocketMessageType.Binary)
            {
                throw new TunnelProtocolException("bad-frame", "a binary message; frames are UTF-8 text");
            }

            length += result.Count;
            if (length > PlatformFrames.MaxFrameBytes)
            {
                throw new TunnelProtocolException("too-large", $"a frame is at most {PlatformFrames.MaxFrameBytes} bytes");
            }

            if (result.EndOfMessage)
            {
                break;
            }
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(_buffer.AsSpan(0, length));
        }
        catch (JsonException)
        {
            throw new TunnelProtocolException("bad-frame", "the frame is not JSON (or not UTF-8)");
        }

        if (node is not JsonObject frame)
        {
            throw new TunnelProtocolException("bad-frame", "the frame is not a JSON object");
        }

        _ = Text(frame, "type");
        return frame;
    }

    /// <summary>A required string field.</summary>
    public static string Text(JsonObject frame, string name) =>
        frame[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>()
            : throw new TunnelProtocolException("bad-frame", $"'{name}' is missing or not a string");

    /// <summary>An optional string field (absent or null gives null).</summary>
    public static string? OptionalText(JsonObject frame, string name) =>
        frame[name] is null ? null : Text(frame, name);

    /// <summary>A required integer field.</summary>
    public static long Number(JsonObject frame, string name) =>
        frame[name] is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<long>(out var number) ? number
            : throw new TunnelProtocolException("bad-frame", $"'{name}' is missing or not an integer");

    /// <summary>A required boolean field.</summary>
    public static bool Boolean(JsonObject frame, string name) =>
        frame[name] is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? value.GetValue<bool>()
            : throw new TunnelProtocolException("bad-frame", $"'{name}' is missing or not a boolean");

    /// <summary>A required object field.</summary>
    public static JsonObject Child(JsonObject frame, string name) =>
        frame[name] as JsonObject ?? throw new TunnelProtocolException("bad-frame", $"'{name}' is missing or not an object");

    /// <summary>Standard base64 bytes of a required string field.</summary>
    public static byte[] Base64(JsonObject frame, string name)
    {
        var text = Text(frame, name);
        var bytes = new byte[text.Length];
        return Convert.TryFromBase64String(text, bytes, out var written) && written > 0 ? bytes[..written]
            : throw new TunnelProtocolException("bad-frame", $"'{name}' is not base64");
    }
}
