namespace WaSms.Gateway.Configuration;

/// <summary>The <c>Gateway</c> configuration section.</summary>
public sealed class GatewayOptions
{
    public const string DefaultStateDirectory = "/var/lib/wasms-gateway";

    /// <summary>All state lives here: the database, the control socket, the display frame (<c>--state-dir</c>).</summary>
    public string StateDirectory { get; set; } = DefaultStateDirectory;

    public string ControlSocketPath => Path.Combine(StateDirectory, "control.sock");

    public IEnumerable<(string Key, string Problem)> Validate()
    {
        if (string.IsNullOrWhiteSpace(StateDirectory))
        {
            yield return ("Gateway:StateDirectory", "must not be empty");
        }
        else if (StateDirectory.IndexOfAny(['\0', '\n']) >= 0)
        {
            yield return ("Gateway:StateDirectory", "contains control characters");
        }
        else if (Path.Combine(StateDirectory, "control.sock").Length > 100)
        {
            // sockaddr_un holds 108 bytes; keep a margin for the socket name.
            yield return ("Gateway:StateDirectory", "is too long for a unix socket path (keep it under 90 characters)");
        }
    }
}
