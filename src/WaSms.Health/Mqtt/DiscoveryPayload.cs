using System.Text.Json.Serialization;

namespace WaSms.Health.Mqtt;

/// <summary>
/// Home Assistant device-based discovery, <c>&lt;discovery-prefix&gt;/device/&lt;id&gt;/config</c>: the
/// shared <c>dev</c> and <c>o</c> (both mandatory), the shared availability topic, and the components
/// under <c>cmps</c>, each with its platform <c>p</c> and a <c>unique_id</c> (docs/mqtt.md "Sources").
/// </summary>
internal sealed record DiscoveryPayload(
    [property: JsonPropertyName("dev")] DiscoveryDevice Device,
    [property: JsonPropertyName("o")] DiscoveryOrigin Origin,
    [property: JsonPropertyName("availability_topic")] string AvailabilityTopic,
    [property: JsonPropertyName("payload_available")] string PayloadAvailable,
    [property: JsonPropertyName("payload_not_available")] string PayloadNotAvailable,
    [property: JsonPropertyName("qos")] int Qos,
    [property: JsonPropertyName("cmps")] IReadOnlyDictionary<string, DiscoveryComponent> Components);

internal sealed record DiscoveryDevice(
    [property: JsonPropertyName("ids")] IReadOnlyList<string> Identifiers,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("mf")] string Manufacturer,
    [property: JsonPropertyName("mdl")] string Model,
    [property: JsonPropertyName("sw")] string SoftwareVersion);

internal sealed record DiscoveryOrigin(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("sw")] string SoftwareVersion);

internal sealed record DiscoveryComponent(
    [property: JsonPropertyName("p")] string Platform,
    [property: JsonPropertyName("unique_id")] string UniqueId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("state_topic")] string StateTopic,
    [property: JsonPropertyName("value_template")] string ValueTemplate)
{
    [JsonPropertyName("device_class"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DeviceClass { get; init; }

    [JsonPropertyName("state_class"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? StateClass { get; init; }

    [JsonPropertyName("unit_of_measurement"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Unit { get; init; }

    [JsonPropertyName("entity_category"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? EntityCategory { get; init; }

    [JsonPropertyName("options"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Options { get; init; }

    [JsonPropertyName("expire_after"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ExpireAfter { get; init; }

    [JsonPropertyName("icon"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Icon { get; init; }
}
