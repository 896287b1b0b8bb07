namespace WaSms.Gateway.Configuration;

/// <summary>The <c>Tunnel</c> configuration section: the outbound link to the WaSMS platform.</summary>
public sealed class TunnelOptions
{
    /// <summary>The platform endpoint; empty means "not enrolled" (dev mode starts the emulator instead).</summary>
    public string Url { get; set; } = "";

    /// <summary>A CA certificate (PEM) trusted besides the system store, e.g. the platform emulator's (docs/tunnel.md §1).</summary>
    public string CaFile { get; set; } = "";

    /// <summary>A one-time enrollment code from the dashboard (docs/tunnel.md §3); dev mode sets the platform emulator's.</summary>
    public string EnrollmentCode { get; set; } = "";

    /// <summary>The platform token. Secret: never logged, never shown.</summary>
    public string Token { get; set; } = "";

    public IEnumerable<(string Key, string Problem)> Validate()
    {
        if (Url.Length > 0 && (!Uri.TryCreate(Url, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "wss")))
        {
            yield return ("Tunnel:Url", "must be an https:// or wss:// URL (the tunnel always uses TLS)");
        }
    }
}
