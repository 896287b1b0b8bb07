namespace WaSms.Health.Mqtt;

/// <summary>The MQTT topics of one gateway (docs/mqtt.md "Topics").</summary>
/// <param name="Prefix"><c>Mqtt:TopicPrefix</c>, default <c>wasms/&lt;gateway-id&gt;</c>.</param>
/// <param name="DiscoveryPrefix"><c>Mqtt:DiscoveryPrefix</c>, default <c>homeassistant</c>.</param>
/// <param name="GatewayId">The stable gateway id (<see cref="GatewayIdentity"/>).</param>
public sealed record HealthTopics(string Prefix, string DiscoveryPrefix, string GatewayId)
{
    public string Status => Prefix + "/status";

    public string State => Prefix + "/state";

    public string Telemetry => Prefix + "/telemetry";

    public string Event => Prefix + "/event";

    /// <summary>Home Assistant's <c>update</c> entity: installed and newest version, progress, a rollback.</summary>
    public string Update => Prefix + "/update";

    /// <summary>Home Assistant device-based discovery: <c>&lt;discovery-prefix&gt;/device/&lt;id&gt;/config</c>.</summary>
    public string Discovery => $"{DiscoveryPrefix}/device/{GatewayId}/config";

    /// <summary>Home Assistant's own birth/will topic; "online" means it (re)started and wants discovery again.</summary>
    public string HomeAssistantStatus => DiscoveryPrefix + "/status";

    public static HealthTopics From(MqttOptions options, string gatewayId)
    {
        ArgumentNullException.ThrowIfNull(options);
        var prefix = options.TopicPrefix.Trim().TrimEnd('/');
        var discovery = options.DiscoveryPrefix.Trim().TrimEnd('/');
        return new HealthTopics(prefix.Length > 0 ? prefix : "wasms/" + gatewayId,
            discovery.Length > 0 ? discovery : "homeassistant", gatewayId);
    }
}
