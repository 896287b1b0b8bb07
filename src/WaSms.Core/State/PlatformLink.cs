namespace WaSms.Core.State;

/// <summary>
/// Where the link to the WaSMS platform stands (docs/tunnel.md §9). A sub-state of the one machine,
/// not a second machine: the WhatsApp state decides what the gateway is, this says whether the
/// platform hears about it (docs/architecture.md, "The platform link").
/// </summary>
public enum PlatformLinkState
{
    /// <summary>No <c>Tunnel:Url</c>: a standalone gateway, nothing to show.</summary>
    NotConfigured,
    NotEnrolled,
    /// <summary>The clock is not set yet (no real-time clock, NTP not through): no TLS until it is.</summary>
    WaitingForClock,
    Connecting,
    Connected,
    /// <summary>Retryable: no answer, the connection dropped, or the platform asked to come back later.</summary>
    Unreachable,
    /// <summary>The platform's certificate was refused (untrusted, another host, no pin matches, or not valid at our clock); retried with backoff, but someone must act.</summary>
    Refused,
    /// <summary>A terminal error (revoked, forbidden, unsupported version, code rejected): no retries until a new code, an update or a restart.</summary>
    Stopped,
}

/// <summary>The platform link as every observer sees it, carried in <see cref="GatewaySnapshot.Platform"/>.</summary>
/// <param name="State">Where the link stands.</param>
/// <param name="Reason">Why, in words for the customer ("enrollment revoked: …"); empty when nothing to add.</param>
/// <param name="Since">When the link entered this state (a new reason in the same state keeps it).</param>
public sealed record PlatformLink(PlatformLinkState State, string Reason, DateTimeOffset Since)
{
    /// <summary>The short name MQTT's <c>tunnel</c> field and <c>status --json</c> carry.</summary>
    public string StateName => State switch
    {
        PlatformLinkState.NotConfigured => "not-configured",
        PlatformLinkState.NotEnrolled => "not-enrolled",
        PlatformLinkState.WaitingForClock => "waiting-for-clock",
        PlatformLinkState.Connecting => "connecting",
        PlatformLinkState.Connected => "connected",
        PlatformLinkState.Unreachable => "unreachable",
        PlatformLinkState.Refused => "refused",
        _ => "stopped",
    };

    /// <summary>The link needs a person (a stop or a refused certificate): the LEDs show it over an online gateway.</summary>
    public bool NeedsAttention => State is PlatformLinkState.Stopped or PlatformLinkState.Refused;

    /// <summary>The line <c>status</c> shows: "platform: unreachable (…)".</summary>
    public string Line => "platform: " + StateName.Replace('-', ' ') + (Reason.Length > 0 ? $" ({Reason})" : "");

    /// <summary>
    /// The screen's short line: the state in words, or for a stop or refusal the cause before its
    /// first colon ("Platform: enrollment revoked"), which says what to do; the rest is in <c>status</c>.
    /// </summary>
    public string ScreenLine => "Platform: " + (NeedsAttention && Reason.Length > 0 ? ShortReason : State switch
    {
        PlatformLinkState.WaitingForClock => "waiting for time sync",
        _ => StateName.Replace('-', ' '),
    });

    private string ShortReason => Reason.IndexOf(':', StringComparison.Ordinal) is var colon and > 0 ? Reason[..colon] : Reason;
}
