using System.Text.Json.Serialization;

namespace WaSms.Health.Mqtt;

/// <summary>Source-generated (trim/AOT-safe) JSON for the state and telemetry payloads: snake_case keys, nulls written.</summary>
[JsonSourceGenerationOptions(WriteIndented = false, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(StatePayload))]
[JsonSerializable(typeof(TelemetryPayload))]
[JsonSerializable(typeof(HomeAssistantUpdatePayload))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;

/// <summary>Source-generated JSON for the event and discovery payloads: snake_case keys, nulls left out.</summary>
[JsonSourceGenerationOptions(WriteIndented = false, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EventPayload))]
[JsonSerializable(typeof(DiscoveryPayload))]
internal sealed partial class SparseJsonContext : JsonSerializerContext;
