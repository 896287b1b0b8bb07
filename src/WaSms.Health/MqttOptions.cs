namespace WaSms.Health;

/// <summary>The <c>Mqtt</c> configuration section (health reporting; off without a host).</summary>
public sealed class MqttOptions
{
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
        if (TopicPrefix.IndexOfAny(['+', '#']) >= 0 || DiscoveryPrefix.IndexOfAny(['+', '#']) >= 0)
        {
            yield return (TopicPrefix.IndexOfAny(['+', '#']) >= 0 ? "Mqtt:TopicPrefix" : "Mqtt:DiscoveryPrefix", "must not contain MQTT wildcards + or #");
        }
    }
}
