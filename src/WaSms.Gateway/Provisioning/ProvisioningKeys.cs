using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace WaSms.Gateway.Provisioning;

/// <summary>
/// The keys of the provisioning file (<c>/boot/firmware/wasms-gateway.txt</c>), each with its check.
/// A check returns the value to apply (normalised) or throws <see cref="FormatException"/> with a
/// message meant for the person who edited the file.
/// </summary>
internal static partial class ProvisioningKeys
{
    public const string EnrollmentCode = "enrollment_code";
    public const string WifiSsid = "wifi_ssid";
    public const string WifiPassphrase = "wifi_passphrase";
    public const string WifiCountry = "wifi_country";
    public const string Hostname = "hostname";
    public const string TimeZone = "timezone";
    public const string MqttHost = "mqtt_host";
    public const string MqttPort = "mqtt_port";
    public const string MqttTls = "mqtt_tls";
    public const string MqttUsername = "mqtt_username";
    public const string MqttPassword = "mqtt_password";
    public const string SshPublicKey = "ssh_public_key";

    /// <summary>Values moved off the FAT partition once applied.</summary>
    public static readonly IReadOnlySet<string> Secrets = new HashSet<string>(StringComparer.Ordinal) { EnrollmentCode, WifiPassphrase, MqttPassword };

    public static readonly IReadOnlyList<string> All =
        [EnrollmentCode, WifiSsid, WifiPassphrase, WifiCountry, Hostname, TimeZone, MqttHost, MqttPort, MqttTls, MqttUsername, MqttPassword, SshPublicKey];

    private static readonly string[] SshKeyTypes =
    [
        "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
    ];

    /// <summary>Checks one value; <paramref name="root"/> is where zoneinfo is looked up.</summary>
    /// <exception cref="FormatException">The value is not acceptable for the key.</exception>
    public static string Check(string key, string value, string root) => key switch
    {
        EnrollmentCode => EnrollmentCodePattern().IsMatch(value) ? value : throw new FormatException("must be 4-64 letters, digits or dashes, as shown by the platform"),
        WifiSsid => Encoding.UTF8.GetByteCount(value) is >= 1 and <= 32 && !value.Any(char.IsControl) ? value : throw new FormatException("must be 1-32 bytes without control characters"),
        WifiPassphrase => CheckPassphrase(value),
        WifiCountry => CountryPattern().IsMatch(value) ? value.ToUpperInvariant() : throw new FormatException("must be a two-letter ISO 3166 country code such as DE or US"),
        Hostname => HostnamePattern().IsMatch(value) ? value.ToLowerInvariant() : throw new FormatException("must be 1-63 letters, digits or dashes, not starting or ending with a dash"),
        TimeZone => CheckTimeZone(value, root),
        MqttHost => value.Length <= 253 && MqttHostPattern().IsMatch(value) ? value : throw new FormatException("must be a host name or IP address"),
        MqttPort => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            ? port.ToString(CultureInfo.InvariantCulture) : throw new FormatException("must be a TCP port 1-65535"),
        MqttTls => value.ToLowerInvariant() switch
        {
            "yes" or "true" or "on" or "1" => "true",
            "no" or "false" or "off" or "0" => "false",
            _ => throw new FormatException("must be yes or no"),
        },
        MqttUsername or MqttPassword => value.Length <= 256 && !value.Any(char.IsControl) ? value : throw new FormatException("must be at most 256 characters without control characters"),
        SshPublicKey => CheckSshKey(value),
        _ => throw new FormatException("is not a known setting"),
    };

    private static string CheckPassphrase(string value)
    {
        // WPA-PSK: 8-63 printable ASCII characters, or the 64-hex-digit key itself (IEEE 802.11i, as wpa_supplicant.conf(5)).
        if (value.Length == 64 && value.All(char.IsAsciiHexDigit))
        {
            return value.ToLowerInvariant();
        }
        return value.Length is >= 8 and <= 63 && value.All(c => c is >= ' ' and <= '~')
            ? value
            : throw new FormatException("must be 8-63 printable ASCII characters (or 64 hex digits)");
    }

    private static string CheckTimeZone(string value, string root)
    {
        if (!TimeZonePattern().IsMatch(value) || value.Split('/').Any(part => part is "." or ".."))
        {
            throw new FormatException("must be a time zone name such as Europe/Berlin or UTC");
        }
        return File.Exists(Path.Combine(root, "usr/share/zoneinfo", value))
            ? value
            : throw new FormatException("is not a time zone known to this system (see /usr/share/zoneinfo)");
    }

    private static string CheckSshKey(string value)
    {
        var parts = value.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || !SshKeyTypes.Contains(parts[0]))
        {
            throw new FormatException($"must be one OpenSSH public key line: {SshKeyTypes[0]} AAAA... (types: {string.Join(", ", SshKeyTypes)})");
        }
        var blob = new byte[parts[1].Length];
        if (!Convert.TryFromBase64String(parts[1], blob, out var length) || length < 16)
        {
            throw new FormatException("the key's second field is not valid base64");
        }
        return value;
    }

    [GeneratedRegex("^[A-Za-z0-9-]{4,64}$")]
    private static partial Regex EnrollmentCodePattern();

    [GeneratedRegex("^[A-Za-z]{2}$")]
    private static partial Regex CountryPattern();

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex HostnamePattern();

    [GeneratedRegex("^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$")]
    private static partial Regex TimeZonePattern();

    [GeneratedRegex("^[A-Za-z0-9.:-]+$")]
    private static partial Regex MqttHostPattern();
}
