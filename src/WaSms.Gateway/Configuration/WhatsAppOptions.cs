using System.Globalization;
using System.Text.RegularExpressions;

namespace WaSms.Gateway.Configuration;

/// <summary>The <c>WhatsApp</c> configuration section (docs/whatsapp.md).</summary>
public sealed partial class WhatsAppOptions
{
    public const string DefaultServerUrl = "wss://web.whatsapp.com/ws/chat";

    /// <summary>WhatsApp's certificate root (Curve25519 public key); see docs/protocol/noise.md for its source.</summary>
    public const string DefaultTrustedRootKey = "142375574d0a587166aae71ebe516437c4a28b73e3695c6ce1f7f9545da8ee6b";

    /// <summary>WhatsApp Web's version triple; the server answers 405 when it is too old.</summary>
    public const string DefaultClientVersion = "2.3000.1045649367";

    public string ServerUrl { get; set; } = DefaultServerUrl;

    public string TrustedRootKey { get; set; } = DefaultTrustedRootKey;

    public string ClientVersion { get; set; } = DefaultClientVersion;

    public IEnumerable<(string Key, string Problem)> Validate()
    {
        if (!Uri.TryCreate(ServerUrl, UriKind.Absolute, out var url) || url.Scheme is not ("wss" or "ws"))
        {
            yield return ("WhatsApp:ServerUrl", "must be a ws:// or wss:// URL");
        }
        if (!HexKey().IsMatch(TrustedRootKey))
        {
            yield return ("WhatsApp:TrustedRootKey", "must be 64 hexadecimal characters (a 32-byte public key)");
        }
        if (!VersionTriple().IsMatch(ClientVersion))
        {
            yield return ("WhatsApp:ClientVersion", "must look like 2.3000.1045649367 (three numbers)");
        }
        else if (ClientVersion.Split('.').Any(part => !int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            // System.Version (and the client payload built from it) holds each part as a 32-bit int.
            yield return ("WhatsApp:ClientVersion", $"each of the three numbers must be at most {int.MaxValue}");
        }
    }

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex HexKey();

    [GeneratedRegex(@"^\d{1,4}\.\d{1,6}\.\d{1,12}$")]
    private static partial Regex VersionTriple();
}
