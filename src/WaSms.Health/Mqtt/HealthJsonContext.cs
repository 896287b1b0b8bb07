using System.Text.Json.Serialization;

namespace WaSms.Health.Mqtt;

/// <summary>Source-generated (trim/AOT-safe) JSON for every MQTT payload.</summary>
[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(StatePayload))]
[JsonSerializable(typeof(TelemetryPayload))]
[JsonSerializable(typeof(EventPayload))]
[JsonSerializable(typeof(DiscoveryPayload))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
