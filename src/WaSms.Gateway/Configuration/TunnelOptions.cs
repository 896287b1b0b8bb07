using System.Globalization;
using WaSms.Gateway.Provisioning;

namespace WaSms.Gateway.Configuration;

/// <summary>The <c>Tunnel</c> configuration section: the outbound link to the WaSMS platform (docs/tunnel.md).</summary>
public sealed class TunnelOptions
{
    /// <summary>The platform endpoint (<c>wss://</c>, or <c>https://</c> treated the same); empty means "not configured".</summary>
    public string Url { get; set; } = "";

    /// <summary>Unused since protocol v1 (a device key authenticates, docs/tunnel.md §3); kept so existing files still load. Secret: never logged.</summary>
    public string Token { get; set; } = "";

    /// <summary>A one-time enrollment code from the dashboard (also: the provisioning file, <c>wasms-gateway enroll</c>). Secret.</summary>
    public string EnrollmentCode { get; set; } = "";

    /// <summary>A PEM or DER CA certificate trusted beside the system store (a private platform CA, the emulator's).</summary>
    public string CaFile { get; set; } = "";

    /// <summary>Hex SHA-256 of the platform's leaf certificate DER; comma-separated for rotation. Empty: no pin.</summary>
    public string PinnedCertSha256 { get; set; } = "";

    /// <summary>How long a platform job may wait to be sent before it ends failed with <c>expired</c>.</summary>
    public TimeSpan JobTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// A file that exists once the system clock is synchronised (systemd-timesyncd's flag). While its
    /// folder exists but the file does not, the tunnel waits up to <see cref="TimeSyncWait"/> before
    /// TLS; empty, or no such folder (no timesyncd): no wait beyond the build-date check.
    /// </summary>
    public string TimeSyncFlag { get; set; } = "/run/systemd/timesync/synchronized"; // systemd-timesyncd.service(8), as Links/ClockSyncWatch

    /// <summary>The longest wait for <see cref="TimeSyncFlag"/> before connecting anyway (a clock past the build date may well be right).</summary>
    public TimeSpan TimeSyncWait { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The pins as lower-case hex, none when unset.</summary>
    public IReadOnlyList<string> ParsePins() =>
        PinnedCertSha256.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant()).ToArray();

    public IEnumerable<(string Key, string Problem)> Validate()
    {
        if (Url.Length > 0 && (!Uri.TryCreate(Url, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "wss")))
        {
            yield return ("Tunnel:Url", "must be an https:// or wss:// URL (the tunnel always uses TLS)");
        }
        if (CaFile.Length > 0 && !IsReadable(CaFile))
        {
            yield return ("Tunnel:CaFile", $"{CaFile} cannot be read as a PEM or DER certificate");
        }
        if (ParsePins().Any(p => p.Length != 64 || !p.All(char.IsAsciiHexDigit)))
        {
            yield return ("Tunnel:PinnedCertSha256", "must be 64 hex digits (the SHA-256 of the certificate's DER), comma-separated for several");
        }
        if (EnrollmentCode.Length > 0 && !IsEnrollmentCode(EnrollmentCode))
        {
            yield return ("Tunnel:EnrollmentCode", "must be 4-64 letters, digits or dashes, as shown by the platform");
        }
        if (TimeSyncWait < TimeSpan.Zero || TimeSyncWait > TimeSpan.FromHours(1))
        {
            yield return ("Tunnel:TimeSyncWait", $"must be between 00:00:00 and 01:00:00 (is {TimeSyncWait.ToString("c", CultureInfo.InvariantCulture)})");
        }
        if (JobTtl < TimeSpan.FromMinutes(1) || JobTtl > TimeSpan.FromDays(30))
        {
            yield return ("Tunnel:JobTtl", $"must be between 00:01:00 and 30.00:00:00 (is {JobTtl.ToString("c", CultureInfo.InvariantCulture)})");
        }
    }

    public static bool IsEnrollmentCode(string code)
    {
        try
        {
            ProvisioningKeys.Check(ProvisioningKeys.EnrollmentCode, code, "/");
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool IsReadable(string path)
    {
        try
        {
            using var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }
}
