using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace WaSms.Health;

/// <summary>The <c>Mqtt</c> configuration section (health reporting; off without a host).</summary>
public sealed class MqttOptions
{
    private const int MaxCaFileBytes = 1024 * 1024;

    public string Host { get; set; } = "";

    public int Port { get; set; } = 1883;

    public bool Tls { get; set; }

    public string CaFile { get; set; } = "";

    public string Username { get; set; } = "";

    /// <summary>Secret: never logged.</summary>
    public string Password { get; set; } = "";

    public string ClientId { get; set; } = "";

    /// <summary>Default <c>wasms/&lt;gateway-id&gt;</c>.</summary>
    public string TopicPrefix { get; set; } = "";

    public string DiscoveryPrefix { get; set; } = "homeassistant";

    public int TelemetrySeconds { get; set; } = 60;

    public IEnumerable<(string Key, string Problem)> Validate()
    {
        if (Port is < 1 or > 65535)
        {
            yield return ("Mqtt:Port", "must be a TCP port 1-65535");
        }
        if (TelemetrySeconds is < 5 or > 86400)
        {
            yield return ("Mqtt:TelemetrySeconds", "must be between 5 and 86400");
        }
        if (CaFile.Length > 0 && !File.Exists(CaFile))
        {
            yield return ("Mqtt:CaFile", "names a file that does not exist");
        }
        else if (CaFile.Length > 0 && CaFileProblem(CaFile) is { } problem)
        {
            yield return ("Mqtt:CaFile", problem);
        }
        if (TopicPrefix.IndexOfAny(['+', '#']) >= 0 || DiscoveryPrefix.IndexOfAny(['+', '#']) >= 0)
        {
            yield return (TopicPrefix.IndexOfAny(['+', '#']) >= 0 ? "Mqtt:TopicPrefix" : "Mqtt:DiscoveryPrefix", "must not contain MQTT wildcards + or #");
        }
    }

    /// <summary>A CA file must hold at least one PEM certificate: without one TLS would fail later with a
    /// misleading "untrusted root" on every connect attempt.</summary>
    private static string? CaFileProblem(string path)
    {
        try
        {
            // A CA bundle is a few KB (Debian's whole ca-certificates.crt is ~200 KB).
            if (new FileInfo(path).Length > MaxCaFileBytes)
            {
                return $"is larger than {MaxCaFileBytes / 1024 / 1024} MB; a CA file holds a few PEM certificates";
            }
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPemFile(path);
            var count = certificates.Count;
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }
            return count == 0 ? "holds no PEM certificate (no -----BEGIN CERTIFICATE----- block)" : null;
        }
        catch (CryptographicException)
        {
            return "holds a PEM certificate that cannot be read (damaged base64 or DER)";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "cannot be read";
        }
    }
}
