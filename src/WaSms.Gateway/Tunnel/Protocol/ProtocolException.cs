namespace WaSms.Gateway.Tunnel.Protocol;

/// <summary>
/// A frame broke docs/tunnel.md: <see cref="Code"/> is the §8 error code to send (or that was received),
/// the message one line naming the field. Never carries a frame's content beyond the field's name.
/// </summary>
public sealed class ProtocolException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>The error codes of docs/tunnel.md §8.</summary>
public static class TunnelErrors
{
    public const string BadFrame = "bad-frame", TooLarge = "too-large", UnknownType = "unknown-type", OutOfOrder = "out-of-order",
        UnsupportedVersion = "unsupported-version", InvalidCode = "invalid-code", AuthFailed = "auth-failed", Revoked = "revoked",
        Forbidden = "forbidden", Replaced = "replaced", RateLimited = "rate-limited", Unavailable = "unavailable", Internal = "internal";

    /// <summary>Codes after which the gateway stops reconnecting until the cause changes (§8).</summary>
    public static bool IsTerminal(string code) =>
        code is UnsupportedVersion or InvalidCode or AuthFailed or Revoked or Forbidden;

    /// <summary>The WebSocket close status for an error we send (§8: 1009 too-large, 1011 internal, else 1008).</summary>
    public static System.Net.WebSockets.WebSocketCloseStatus CloseStatusFor(string code) => code switch
    {
        TooLarge => System.Net.WebSockets.WebSocketCloseStatus.MessageTooBig,
        Internal => System.Net.WebSockets.WebSocketCloseStatus.InternalServerError,
        _ => System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation,
    };
}
