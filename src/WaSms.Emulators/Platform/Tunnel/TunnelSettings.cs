namespace WaSms.Emulators.Platform.Tunnel;

/// <summary>What the emulated platform announces in <c>welcome</c> and the deadlines it keeps (docs/tunnel.md §2, §4, §7.4).</summary>
public sealed record TunnelSettings
{
    /// <summary>Events in flight and unanswered <c>send</c>/<c>command</c> frames, 1–1000.</summary>
    public int Window { get; init; } = 100;

    /// <summary>Seconds between the gateway's pings.</summary>
    public int PingInterval { get; init; } = 20;

    /// <summary>Seconds the gateway waits beyond <see cref="PingInterval"/> before it calls the link half-open.</summary>
    public int PingTimeout { get; init; } = 10;

    /// <summary>How long an enrollment code is valid after it is issued (docs/tunnel.md §3); a later <c>enroll</c> is <c>invalid-code</c>.</summary>
    public TimeSpan CodeLifetime { get; init; } = TimeSpan.FromHours(24);

    /// <summary>How long the gateway has to send <c>enroll</c> or <c>hello</c>.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
