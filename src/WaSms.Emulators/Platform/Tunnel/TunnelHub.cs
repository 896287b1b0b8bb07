using System.Collections.Concurrent;

namespace WaSms.Emulators.Platform.Tunnel;

/// <summary>
/// The live tunnel connections, one per gateway (docs/tunnel.md §2.4): a new <c>hello</c> replaces
/// the older connection, and a queued job or command wakes the connection that carries it.
/// </summary>
public sealed class TunnelHub
{
    private readonly ConcurrentDictionary<string, TunnelSession> _sessions = new();
    private volatile HandshakeRefusal? _refusal;

    /// <summary>While set, every <c>enroll</c> and <c>hello</c> is answered with this error after authentication (the dev API's error modes).</summary>
    public HandshakeRefusal? Refusal
    {
        get => _refusal;
        set => _refusal = value;
    }

    /// <summary>Makes <paramref name="session"/> the gateway's connection and returns the one it replaces, if any.</summary>
    public TunnelSession? Register(string gatewayId, TunnelSession session)
    {
        TunnelSession? previous = null;
        _sessions.AddOrUpdate(gatewayId, session, (_, old) => { previous = old; return session; });
        return previous;
    }

    /// <summary>Forgets <paramref name="session"/> unless a newer connection already replaced it.</summary>
    public void Unregister(string gatewayId, TunnelSession session) =>
        _sessions.TryRemove(new KeyValuePair<string, TunnelSession>(gatewayId, session));

    /// <summary>True while the gateway has a connection past <c>welcome</c>.</summary>
    public bool IsConnected(string gatewayId) => _sessions.ContainsKey(gatewayId);

    /// <summary>Wakes the gateway's connection to send what was queued for it.</summary>
    public void Notify(string gatewayId)
    {
        if (_sessions.TryGetValue(gatewayId, out var session))
        {
            session.Wake();
        }
    }
}

/// <summary>An error the emulated platform answers every handshake with (docs/tunnel.md §8): <c>forbidden</c>, <c>rate-limited</c> (with <paramref name="RetryAfter"/>) or <c>unavailable</c>.</summary>
/// <param name="Message">The error's message; null for the emulator's default text.</param>
public sealed record HandshakeRefusal(string Code, int? RetryAfter = null, string? Message = null);
