using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace WaSms.Gateway.Provisioning;

/// <summary>
/// Applies a checked provisioning file to the system below <see cref="TargetFiles.Root"/> (once per
/// file content, see <see cref="ProvisionCommand"/>; idempotent: unchanged files are not rewritten);
/// an empty value leaves the current setting alone. Where each setting lands is listed in docs/image.md.
/// </summary>
internal sealed class ProvisioningApplier(TargetFiles files, string serviceUser)
{
    public const string WpaConfig = "/etc/wpa_supplicant/wpa_supplicant.conf";
    public const string RegulatoryConfig = "/etc/modprobe.d/wasms-wifi-country.conf";
    public const string GatewayConfig = "/etc/wasms-gateway/gateway.json";
    public const string StateDirectory = "/var/lib/wasms-gateway";
    public const string EnrollmentCodeFile = StateDirectory + "/" + Storage.GatewayStore.EnrollmentCodeFileName; // a factory reset deletes it
    public const string AuthorizedKeys = "/root/.ssh/authorized_keys";

    private const UnixFileMode Mode600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Mode640 = Mode600 | UnixFileMode.GroupRead;
    private const UnixFileMode Mode644 = Mode640 | UnixFileMode.OtherRead;
    private const UnixFileMode Mode700 = Mode600 | UnixFileMode.UserExecute;
    private const UnixFileMode Mode750 = Mode700 | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;

    /// <summary>Applies every value in the file; returns the keys applied, in file order.</summary>
    /// <exception cref="IOException">A target file could not be written.</exception>
    public IReadOnlyList<string> Apply(ProvisioningFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        files.EnsureDirectory(StateDirectory, Mode750, serviceUser, serviceUser);
        if (file.Get(ProvisioningKeys.EnrollmentCode) is { } code)
        {
            files.Write(EnrollmentCodeFile, code + "\n", Mode600, serviceUser, serviceUser);
        }
        if (file.Has(ProvisioningKeys.WifiSsid) || file.Has(ProvisioningKeys.WifiCountry))
        {
            ApplyWifi(file);
        }
        if (file.Get(ProvisioningKeys.Hostname) is { } hostname)
        {
            ApplyHostname(hostname);
        }
        if (file.Get(ProvisioningKeys.TimeZone) is { } zone)
        {
            files.Write("/etc/timezone", zone + "\n", Mode644);
            files.Symlink("/etc/localtime", "/usr/share/zoneinfo/" + zone);
        }
        if (ProvisioningKeys.All.Any(k => k.StartsWith("mqtt_", StringComparison.Ordinal) && file.Has(k)))
        {
            ApplyMqtt(file);
        }
        if (file.Get(ProvisioningKeys.SshPublicKey) is { } key)
        {
            // Root's keys: the only login on the appliance (key-only, see overlays/rootfs/etc/ssh/sshd_config.d).
            // ssh.service starts only when this file exists.
            files.EnsureDirectory("/root/.ssh", Mode700);
            files.Write(AuthorizedKeys, key + "\n", Mode600);
        }
        return file.Values.OrderBy(v => v.Value.Line).Select(v => v.Key).ToArray();
    }

    private void ApplyWifi(ProvisioningFile file)
    {
        var current = WpaNetwork.Parse(files.ReadOrNull(WpaConfig));
        var country = file.Get(ProvisioningKeys.WifiCountry) ?? current.Country;
        var ssidHex = current.SsidHex;
        var psk = current.Psk;
        if (file.Get(ProvisioningKeys.WifiSsid) is { } ssid)
        {
            var newSsidHex = Convert.ToHexStringLower(Encoding.UTF8.GetBytes(ssid));
            if (file.Get(ProvisioningKeys.WifiPassphrase) is { } passphrase)
            {
                psk = PskOf(passphrase, ssid);
            }
            else if (newSsidHex != ssidHex)
            {
                psk = null; // another network and no passphrase given: an open network
            }
            ssidHex = newSsidHex;
        }
        files.Write(WpaConfig, new WpaNetwork(country, ssidHex, psk).Render(), Mode600);
        if (country is not null)
        {
            // The kernel's regulatory domain from boot on, before wpa_supplicant sets it again.
            files.Write(RegulatoryConfig, $"# Written by wasms-gateway provision (wifi_country).\noptions cfg80211 ieee80211_regdom={country}\n", Mode644);
        }
    }

    /// <summary>
    /// The 256-bit WPA pre-shared key: PBKDF2-HMAC-SHA1(passphrase, SSID, 4096 iterations, 32 bytes)
    /// (IEEE 802.11i-2004 H.4, what <c>wpa_passphrase</c> prints). The passphrase itself is not stored.
    /// </summary>
    public static string PskOf(string passphrase, string ssid)
    {
        ArgumentNullException.ThrowIfNull(passphrase);
        ArgumentNullException.ThrowIfNull(ssid);
        if (passphrase.Length == 64)
        {
            return passphrase; // already the key (checked as hex)
        }
        var key = Rfc2898DeriveBytes.Pbkdf2(Encoding.ASCII.GetBytes(passphrase), Encoding.UTF8.GetBytes(ssid), 4096, HashAlgorithmName.SHA1, 32);
        return Convert.ToHexStringLower(key);
    }

    private void ApplyHostname(string hostname)
    {
        files.Write("/etc/hostname", hostname + "\n", Mode644);
        var hosts = (files.ReadOrNull("/etc/hosts") ?? "127.0.0.1\tlocalhost\n").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !line.StartsWith("127.0.1.1", StringComparison.Ordinal))
            .Append($"127.0.1.1\t{hostname}");
        files.Write("/etc/hosts", string.Join('\n', hosts) + "\n", Mode644);
    }

    /// <summary>The Mqtt section of gateway.json (the file the service reads); other sections are kept.</summary>
    private void ApplyMqtt(ProvisioningFile file)
    {
        JsonObject config;
        try
        {
            config = JsonNode.Parse(files.ReadOrNull(GatewayConfig) ?? "{}") as JsonObject ?? [];
        }
        catch (JsonException ex)
        {
            throw new IOException($"{GatewayConfig} is not valid JSON ({ex.Message}); fix or delete it", ex);
        }
        if (config["Mqtt"] is not JsonObject mqtt)
        {
            mqtt = [];
            config["Mqtt"] = mqtt;
        }
        void Set(string key, string property, bool isNumber = false, bool isBool = false)
        {
            if (file.Get(key) is not { } value)
            {
                return;
            }
            mqtt[property] = isNumber ? JsonValue.Create(int.Parse(value, CultureInfo.InvariantCulture))
                : isBool ? JsonValue.Create(value == "true")
                : JsonValue.Create(value);
        }
        Set(ProvisioningKeys.MqttHost, "Host");
        Set(ProvisioningKeys.MqttPort, "Port", isNumber: true);
        Set(ProvisioningKeys.MqttTls, "Tls", isBool: true);
        Set(ProvisioningKeys.MqttUsername, "Username");
        Set(ProvisioningKeys.MqttPassword, "Password");
        files.EnsureDirectory("/etc/wasms-gateway", Mode750 | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        // Readable by the service's group only: it holds the MQTT password.
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            config.WriteTo(writer);
        }
        files.Write(GatewayConfig, Encoding.UTF8.GetString(buffer.ToArray()) + "\n", Mode640, "root", serviceUser);
    }

    /// <summary>The one network of our own wpa_supplicant.conf (see <see cref="Render"/>).</summary>
    private sealed record WpaNetwork(string? Country, string? SsidHex, string? Psk)
    {
        public static WpaNetwork Parse(string? text)
        {
            string? Field(string name) => text?.Split('\n').Select(l => l.Trim())
                .FirstOrDefault(l => l.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..];
            return new WpaNetwork(Field("country"), Field("ssid"), Field("psk"));
        }

        public string Render()
        {
            var text = new StringBuilder();
            text.Append("# Written by wasms-gateway provision from the boot partition's wasms-gateway.txt: edit that file, not this one.\n");
            text.Append("ctrl_interface=DIR=/run/wpa_supplicant GROUP=netdev\n");
            text.Append("update_config=0\n");
            if (Country is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $"country={Country}\n");
            }
            if (SsidHex is not null)
            {
                // The SSID in hex needs no quoting, whatever characters it has.
                text.Append("network={\n");
                text.Append(CultureInfo.InvariantCulture, $"\tssid={SsidHex}\n");
                text.Append("\tscan_ssid=1\n");
                text.Append(Psk is null ? "\tkey_mgmt=NONE\n" : $"\tpsk={Psk}\n");
                text.Append("}\n");
            }
            return text.ToString();
        }
    }
}
