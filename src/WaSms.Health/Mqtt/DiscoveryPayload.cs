using System.Text.Json.Serialization;

namespace WaSms.Health.Mqtt;

/// <summary>
/// Home Assistant device-based discovery, <c>&lt;discovery-prefix&gt;/device/&lt;id&gt;/config</c>: the
/// shared <c>dev</c> and <c>o</c> (both mandatory), the shared availability topic, and the components
/// under <c>cmps</c>, each with its platform <c>p</c> and a <c>unique_id</c> (docs/mqtt.md "Sources").
/// Keys are snake_case by the naming policy, Home Assistant's abbreviations named here; nulls are
/// left out (<see cref="SparseJsonContext"/>).
/// </summary>
internal sealed record DiscoveryPayload(
    [property: JsonPropertyName("dev")] DiscoveryDevice Device,
    [property: JsonPropertyName("o")] DiscoveryOrigin Origin,
    string AvailabilityTopic,
    string PayloadAvailable,
    string PayloadNotAvailable,
    int Qos,
    [property: JsonPropertyName("cmps")] IReadOnlyDictionary<string, DiscoveryComponent> Components);

internal sealed record DiscoveryDevice(
    [property: JsonPropertyName("ids")] IReadOnlyList<string> Identifiers,
    string Name,
    [property: JsonPropertyName("mf")] string Manufacturer,
    [property: JsonPropertyName("mdl")] string Model,
    [property: JsonPropertyName("sw")] string SoftwareVersion);

internal sealed record DiscoveryOrigin(string Name, [property: JsonPropertyName("sw")] string SoftwareVersion);

internal sealed record DiscoveryComponent(
    [property: JsonPropertyName("p")] string Platform,
    string UniqueId,
    string Name,
    string StateTopic,
    string? ValueTemplate)
{
    public string? DeviceClass { get; init; }

    public string? StateClass { get; init; }

    public string? UnitOfMeasurement { get; init; }

    public string? EntityCategory { get; init; }

    public IReadOnlyList<string>? Options { get; init; }

    public int? ExpireAfter { get; init; }

    public string? Icon { get; init; }
}
