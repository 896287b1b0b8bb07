using System.Net.WebSockets;

namespace WaSms.Emulators.Platform.Tunnel;

/// <summary>
/// A reason to end a tunnel connection with an <c>error</c> frame (docs/tunnel.md §8): the code,
/// a message for the other side, whether it is terminal, and the WebSocket close code that follows.
/// </summary>
public sealed class TunnelProtocolException : Exception
{
    private static readonly HashSet<string> TerminalCodes = ["unsupported-version", "invalid-code", "auth-failed", "revoked", "forbidden"];

    public TunnelProtocolException(string code, string message)
        : base(message)
    {
        Code = code;
    }

    public TunnelProtocolException()
        : this("internal", "internal error")
    {
    }

    public TunnelProtocolException(string message)
        : this("bad-frame", message)
    {
    }

    public TunnelProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = "bad-frame";
    }

    /// <summary>The error code of the doc's table.</summary>
    public string Code { get; }

    /// <summary>Seconds the gateway must wait before it comes back (<c>rate-limited</c>), or null.</summary>
    public int? RetryAfter { get; init; }

    /// <summary>Whether the other side stops reconnecting.</summary>
    public bool Terminal => TerminalCodes.Contains(Code);

    /// <summary>1009 for <c>too-large</c>, 1011 for <c>internal</c>, 1008 otherwise.</summary>
    public WebSocketCloseStatus CloseStatus => Code switch
    {
        "too-large" => WebSocketCloseStatus.MessageTooBig,
        "internal" => WebSocketCloseStatus.InternalServerError,
        _ => WebSocketCloseStatus.PolicyViolation,
    };
}
