using System.Globalization;
using System.Text.RegularExpressions;

namespace WaSms.Gateway.Tunnel.Protocol;

/// <summary>
/// The field rules of docs/tunnel.md, checked after decoding: the first broken rule is one
/// <see cref="ProtocolException"/> ("send.seq: must be a whole number of at least 1"). What a gateway
/// answers with a job or result state (a bad recipient, an unknown command) is not checked here.
/// </summary>
public static partial class FrameValidator
{
    public const int ProtocolVersion = 1;
    public const int MaxIdLength = 128;
    public const int MaxTextLength = 65_536;

    public static readonly string[] JobStates = ["accepted", "sent", "delivered", "read", "failed"];
    public static readonly string[] StatusStates = ["sent", "delivered", "read", "failed"];

    public static void Validate(TunnelFrame frame)
    {
        switch (frame)
        {
            case ChallengeFrame f:
                Nonce(f.Nonce);
                Time("challenge.time", f.Time);
                break;
            case EnrollFrame f:
                Version("enroll.v", f.V);
                Id("enroll.code", f.Code);
                Base64("enroll.publicKey", f.PublicKey);
                Base64("enroll.signature", f.Signature);
                break;
            case EnrolledFrame f:
                GatewayId("enrolled.gatewayId", f.GatewayId);
                break;
            case HelloFrame f:
                Version("hello.v", f.V);
                GatewayId("hello.gatewayId", f.GatewayId);
                Base64("hello.signature", f.Signature);
                AtLeast("hello.resume.platformSeq", Required("hello.resume", f.Resume).PlatformSeq, 0);
                break;
            case WelcomeFrame f:
                AtLeast("welcome.ackedCursor", f.AckedCursor, 0);
                Range("welcome.window", f.Window, 1, 1000, optional: true);
                Range("welcome.pingInterval", f.PingInterval, 1, 3600, optional: true);
                Range("welcome.pingTimeout", f.PingTimeout, 1, 3600, optional: true);
                break; // welcome.pacing is checked where it is applied: a bad one is ignored, not fatal (§6.1)
            case EventFrame f:
                Event(f);
                break;
            case AckFrame f:
                AtLeast("ack.cursor", f.Cursor, 0);
                break;
            case SendFrame f:
                AtLeast("send.seq", f.Seq, 1);
                Id("send.jobId", f.JobId);
                Required("send.to", f.To);
                Required("send.kind", f.Kind);
                Required("send.text", f.Text);
                Range("send.priority", f.Priority, 1, 2, optional: true);
                break;
            case JobFrame f:
                Id("job.jobId", f.JobId);
                AtLeast("job.seq", f.Seq, 1);
                OneOf("job.state", f.State, JobStates);
                Time("job.at", f.At);
                break;
            case CommandFrame f:
                AtLeast("command.seq", f.Seq, 1);
                Id("command.id", f.Id);
                Id("command.name", f.Name);
                if (f.Args is { ValueKind: not (System.Text.Json.JsonValueKind.Object or System.Text.Json.JsonValueKind.Null) })
                {
                    throw Bad("command.args", "must be an object");
                }
                break;
            case ResultFrame f:
                Id("result.id", f.Id);
                AtLeast("result.seq", f.Seq, 1);
                Required("result.ok", f.Ok);
                break;
            case StateFrame f:
                Id("state.state", f.State);
                Time("state.since", f.Since);
                break;
            case PairingFrame f:
                Pairing(f);
                break;
            case PingFrame f:
                Id("ping.id", f.Id);
                break;
            case PongFrame f:
                Id("pong.id", f.Id);
                break;
            case ErrorFrame f:
                Id("error.code", f.Code);
                AtLeast("error.retryAfter", f.RetryAfter, 0, optional: true);
                break;
        }
    }

    /// <summary>Parses an RFC 3339 UTC time with a <c>Z</c>, e.g. <c>2026-12-02T10:15:03.120Z</c>.</summary>
    public static bool TryParseTime(string? value, out DateTimeOffset time)
    {
        time = default;
        return value is not null && TimePattern().IsMatch(value) &&
               DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
    }

    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static bool IsGatewayId(string? value) => value is not null && GatewayIdPattern().IsMatch(value);

    /// <summary>1–128 printable ASCII characters (job ids, command ids, names).</summary>
    public static bool IsId(string? value) =>
        value is { Length: > 0 and <= MaxIdLength } && value.All(c => c is >= ' ' and <= '~');

    private static void Event(EventFrame f)
    {
        AtLeast("event.cursor", f.Cursor, 1);
        OneOf("event.kind", f.Kind, ["message", "status"]);
        if (f.Kind == "message")
        {
            var m = Required("event.message", f.Message);
            Required("event.message.id", m.Id);
            Required("event.message.chat", m.Chat);
            Required("event.message.from", m.From);
            Required("event.message.fromMe", m.FromMe);
            Time("event.message.timestamp", m.Timestamp);
            Required("event.message.type", m.MessageType);
        }
        else
        {
            var s = Required("event.status", f.Status);
            Required("event.status.messageId", s.MessageId);
            OneOf("event.status.state", s.State, StatusStates);
            Time("event.status.at", s.At);
            if (s.State == "failed")
            {
                Required("event.status.reason", s.Reason);
            }
        }
    }

    private static void Pairing(PairingFrame f)
    {
        OneOf("pairing.mode", f.Mode, ["qr", "code", "none"]);
        if (f.Mode == "qr")
        {
            Required("pairing.qr", f.Qr);
            Time("pairing.expiresAt", f.ExpiresAt);
        }
        else if (f.Mode == "code")
        {
            Required("pairing.code", f.Code);
            Time("pairing.expiresAt", f.ExpiresAt);
        }
    }

    private static void Version(string field, int? v)
    {
        Required(field, v);
        if (v != ProtocolVersion)
        {
            throw new ProtocolException(TunnelErrors.UnsupportedVersion, $"{field}: version {v} is not supported (this side speaks {ProtocolVersion})");
        }
    }

    private static void Nonce(string? nonce)
    {
        Required("challenge.nonce", nonce);
        var bytes = Base64Url.TryDecode(nonce!);
        if (bytes is not { Length: >= 16 and <= 64 })
        {
            throw Bad("challenge.nonce", "must be 16 to 64 bytes in base64url without padding");
        }
    }

    private static void Base64(string field, string? value)
    {
        Required(field, value);
        if (value!.Length == 0 || value.Length > 4096 || !System.Buffers.Text.Base64.IsValid(value))
        {
            throw Bad(field, "must be standard base64");
        }
    }

    private static void GatewayId(string field, string? value)
    {
        if (!IsGatewayId(Required(field, value)))
        {
            throw Bad(field, "must be 1 to 128 characters of A-Z a-z 0-9 _ . -");
        }
    }

    private static void Id(string field, string? value)
    {
        if (!IsId(Required(field, value)))
        {
            throw Bad(field, $"must be 1 to {MaxIdLength} printable ASCII characters");
        }
    }

    private static void Time(string field, string? value)
    {
        if (!TryParseTime(Required(field, value), out _))
        {
            throw Bad(field, "must be an RFC 3339 UTC time ending in Z");
        }
    }

    private static void OneOf(string field, string? value, string[] allowed)
    {
        if (!allowed.Contains(Required(field, value)))
        {
            throw Bad(field, $"must be one of {string.Join(", ", allowed)}");
        }
    }

    private static void AtLeast(string field, long? value, long min, bool optional = false)
    {
        if (value is null && optional)
        {
            return;
        }
        if (Required(field, value) < min)
        {
            throw Bad(field, $"must be a whole number of at least {min}");
        }
    }

    private static void Range(string field, double? value, double min, double max, bool optional = false)
    {
        if (value is null && optional)
        {
            return;
        }
        if (Required(field, value) is var v && (double.IsNaN(v) || v < min || v > max))
        {
            throw Bad(field, $"must be between {min} and {max}");
        }
    }

    private static T Required<T>(string field, T? value) where T : class =>
        value ?? throw Bad(field, "is missing");

    private static T Required<T>(string field, T? value) where T : struct =>
        value ?? throw Bad(field, "is missing");

    private static ProtocolException Bad(string field, string problem) => new(TunnelErrors.BadFrame, $"{field}: {problem}");

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$", RegexOptions.CultureInvariant)]
    private static partial Regex TimePattern();

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]{1,128}$", RegexOptions.CultureInvariant)]
    private static partial Regex GatewayIdPattern();
}

/// <summary>Base64url without padding (the challenge nonce, §3).</summary>
public static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The bytes, or null when <paramref name="text"/> is not unpadded base64url.</summary>
    public static byte[]? TryDecode(string text)
    {
        if (text.Length > 128 || text.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) || text.Length % 4 == 1)
        {
            return null;
        }
        var padded = text.Replace('-', '+').Replace('_', '/') + new string('=', (4 - text.Length % 4) % 4);
        try
        {
            return Convert.FromBase64String(padded);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
