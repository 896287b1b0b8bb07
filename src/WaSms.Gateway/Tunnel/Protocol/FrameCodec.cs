using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace WaSms.Gateway.Tunnel.Protocol;

/// <summary>
/// Reads and writes tunnel frames (docs/tunnel.md §1): one JSON object per text message, at most
/// <see cref="MaxFrameBytes"/>, unknown fields ignored, unknown types refused. Every failure is one
/// <see cref="ProtocolException"/> with the §8 code and the field's name.
/// </summary>
public static class FrameCodec
{
    /// <summary>256 KiB: the largest frame either side accepts.</summary>
    public const int MaxFrameBytes = 256 * 1024;

    /// <summary>No frame of v1 nests deeper than 4; this leaves room for a later revision's fields.</summary>
    public const int MaxDepth = 16;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = MaxDepth };

    public static TunnelFrame Decode(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxFrameBytes)
        {
            throw new ProtocolException(TunnelErrors.TooLarge, $"a frame of {utf8.Length} bytes is over the limit of {MaxFrameBytes}");
        }
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            throw new ProtocolException(TunnelErrors.BadFrame, "the frame is not valid UTF-8");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8.ToArray(), DocumentOptions);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            throw new ProtocolException(TunnelErrors.BadFrame, $"the frame is not JSON ({FirstLine(ex.Message)})");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ProtocolException(TunnelErrors.BadFrame, $"the frame is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object");
            }
            if (!root.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            {
                throw new ProtocolException(TunnelErrors.BadFrame, "field 'type' is missing or not a string");
            }
            var type = typeElement.GetString()!;
            var frame = type switch
            {
                FrameTypes.Challenge => Read(root, type, TunnelJson.Default.ChallengeFrame),
                FrameTypes.Enroll => Read(root, type, TunnelJson.Default.EnrollFrame),
                FrameTypes.Enrolled => Read(root, type, TunnelJson.Default.EnrolledFrame),
                FrameTypes.Hello => Read(root, type, TunnelJson.Default.HelloFrame),
                FrameTypes.Welcome => Read(root, type, TunnelJson.Default.WelcomeFrame),
                FrameTypes.Event => Read(root, type, TunnelJson.Default.EventFrame),
                FrameTypes.Ack => Read(root, type, TunnelJson.Default.AckFrame),
                FrameTypes.Send => Read(root, type, TunnelJson.Default.SendFrame),
                FrameTypes.Job => Read(root, type, TunnelJson.Default.JobFrame),
                FrameTypes.Command => Read(root, type, TunnelJson.Default.CommandFrame),
                FrameTypes.Result => Read(root, type, TunnelJson.Default.ResultFrame),
                FrameTypes.State => Read(root, type, TunnelJson.Default.StateFrame),
                FrameTypes.Pairing => Read(root, type, TunnelJson.Default.PairingFrame),
                FrameTypes.Ping => Read(root, type, TunnelJson.Default.PingFrame),
                FrameTypes.Pong => Read(root, type, TunnelJson.Default.PongFrame),
                FrameTypes.Error => Read(root, type, TunnelJson.Default.ErrorFrame),
                _ => throw new ProtocolException(TunnelErrors.UnknownType, $"unknown frame type '{Printable(type)}'"),
            };
            FrameValidator.Validate(frame);
            return frame;
        }
    }

    public static byte[] Encode(TunnelFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var info = TunnelJson.Default.GetTypeInfo(frame.GetType())
                   ?? throw new ArgumentException($"{frame.GetType().Name} is not a tunnel frame", nameof(frame));
        return JsonSerializer.SerializeToUtf8Bytes(frame, info);
    }

    /// <summary>Reads a nested object (command args, result data) with its own type; errors name <paramref name="field"/>.</summary>
    public static T ReadObject<T>(JsonElement element, string field, JsonTypeInfo<T> info)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ProtocolException(TunnelErrors.BadFrame, $"field '{field}' must be an object");
        }
        try
        {
            return element.Deserialize(info) ?? throw new ProtocolException(TunnelErrors.BadFrame, $"field '{field}' must be an object");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException)
        {
            throw new ProtocolException(TunnelErrors.BadFrame, $"field '{field}{PathOf(ex)}' has the wrong type");
        }
    }

    public static JsonElement ToElement<T>(T value, JsonTypeInfo<T> info) => JsonSerializer.SerializeToElement(value, info);

    private static TunnelFrame Read<T>(JsonElement root, string type, JsonTypeInfo<T> info) where T : TunnelFrame
    {
        try
        {
            return root.Deserialize(info) ?? throw new ProtocolException(TunnelErrors.BadFrame, $"{type}: the frame is empty");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException)
        {
            throw new ProtocolException(TunnelErrors.BadFrame, $"{type}: field '{PathOf(ex).TrimStart('.')}' has the wrong type");
        }
    }

    /// <summary>The field a serializer error is about ("$.message.fromMe" gives ".message.fromMe").</summary>
    private static string PathOf(Exception ex) =>
        ex is JsonException { Path: { Length: > 1 } path } ? path[1..] : "";

    private static string FirstLine(string message) => message.Split('\n')[0].TrimEnd();

    /// <summary>A peer's string shortened and stripped of control characters before it reaches a log line.</summary>
    internal static string Printable(string value, int max = 40)
    {
        var cut = value.Length > max ? value[..max] + "…" : value;
        return string.Concat(cut.Select(c => char.IsControl(c) ? '?' : c));
    }
}
