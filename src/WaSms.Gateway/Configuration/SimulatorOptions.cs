using System.Net;

namespace WaSms.Gateway.Configuration;

/// <summary>
/// The <c>Simulator</c> configuration section: the dev-mode page (live e-ink frame, LEDs, button).
/// Served only with the simulated board; a real board never starts it.
/// </summary>
public sealed class SimulatorOptions
{
    public const string Off = "off";

    /// <summary><c>http://127.0.0.1:8780</c> by default (port 0 = any free port); <c>off</c> disables the page.</summary>
    public string Url { get; set; } = "http://127.0.0.1:8780";

    /// <summary>Allows a non-loopback <see cref="Url"/>. The page presses the button (a relink), so the default is no.</summary>
    public bool AllowRemote { get; set; }

    public bool Enabled => !Url.Trim().Equals(Off, StringComparison.OrdinalIgnoreCase);

    /// <summary>The address and port to listen on; valid only after <see cref="Validate"/> found no problem.</summary>
    public IPEndPoint ToEndPoint()
    {
        var url = new Uri(Url.Trim());
        var address = IPAddress.TryParse(url.IdnHost, out var parsed) ? parsed : IPAddress.Loopback; // "localhost"
        return new IPEndPoint(address, url.Port);
    }

    public IEnumerable<(string Key, string Problem)> Validate()
    {
        if (!Enabled)
        {
            yield break;
        }
        if (!Uri.TryCreate(Url.Trim(), UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttp
            || url.UserInfo.Length > 0 || url.AbsolutePath != "/" || url.Query.Length > 0)
        {
            yield return ("Simulator:Url", "must be off or an http:// URL with an address and port only, like http://127.0.0.1:8780");
        }
        else if (!url.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase) && !IPAddress.TryParse(url.IdnHost, out _))
        {
            yield return ("Simulator:Url", "must name an IP address or localhost, not a host name");
        }
        else if (!url.IsLoopback && !AllowRemote)
        {
            yield return ("Simulator:Url", "must be a loopback address (127.0.0.1, [::1], localhost): the page can press the button; set Simulator:AllowRemote=true to serve it on the network anyway");
        }
    }
}
