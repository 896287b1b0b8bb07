using System.Globalization;
using System.Text.Json.Nodes;

namespace WaSms.Emulators.Platform.Protocol;

/// <summary>The frames the platform sends (docs/tunnel.md §3–§8), built as JSON objects.</summary>
public static class PlatformFrames
{
    /// <summary>The WebSocket subprotocol of protocol v1.</summary>
    public const string SubProtocol = "wasms-tunnel.v1";

    /// <summary>The largest frame either side may send: 256 KiB.</summary>
    public const int MaxFrameBytes = 256 * 1024;

    public static JsonObject Challenge(string nonce, DateTimeOffset now) =>
        new() { ["type"] = "challenge", ["nonce"] = nonce, ["time"] = PlatformTime.Format(now) };

    public static JsonObject Enrolled(string gatewayId, string account) =>
        new() { ["type"] = "enrolled", ["gatewayId"] = gatewayId, ["account"] = account };

    public static JsonObject Welcome(string session, long ackedCursor, int window, int pingInterval, int pingTimeout, string pacingJson) => new()
    {
        ["type"] = "welcome",
        ["session"] = session,
        ["ackedCursor"] = ackedCursor,
        ["window"] = window,
        ["pingInterval"] = pingInterval,
        ["pingTimeout"] = pingTimeout,
        ["pacing"] = JsonNode.Parse(pacingJson),
    };

    public static JsonObject Send(long seq, string jobId, string to, string text, int priority) => new()
    {
        ["type"] = "send", ["seq"] = seq, ["jobId"] = jobId, ["to"] = to, ["kind"] = "text", ["text"] = text, ["priority"] = priority,
    };

    public static JsonObject Command(long seq, string id, string name, JsonObject args) => new()
    {
        ["type"] = "command", ["seq"] = seq, ["id"] = id, ["name"] = name, ["args"] = args.DeepClone(),
    };

    public static JsonObject Ack(long cursor) => new() { ["type"] = "ack", ["cursor"] = cursor };

    public static JsonObject Pong(string id) => new() { ["type"] = "pong", ["id"] = id };

    public static JsonObject Error(string code, string message, bool terminal, int? retryAfter = null)
    {
        var frame = new JsonObject { ["type"] = "error", ["code"] = code, ["message"] = message, ["terminal"] = terminal };
        if (retryAfter is { } seconds)
        {
            frame["retryAfter"] = seconds;
        }
        return frame;
    }

    /// <summary>An RFC 3339 time from a frame, or null when absent or unreadable (times are informative, never required).</summary>
    public static DateTimeOffset? ParseTime(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) &&
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
}
