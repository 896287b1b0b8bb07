using System.Text.Json.Serialization;

namespace WaSms.Health.Mqtt;

// The records are the wire format: property names are the JSON keys (snake_case by the contexts'
// naming policy, HealthJsonContext.cs); only keys the policy cannot spell are named here.

/// <summary><c>&lt;prefix&gt;/state</c>: retained, re-published on every change and (re)connect.</summary>
internal sealed record StatePayload(
    string State,
    string Reason,
    DateTimeOffset Since,
    [property: JsonPropertyName("seq")] long Sequence,
    bool WhatsappLinked,
    bool AccountLinked,
    string Tunnel,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TunnelReason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? UpdateAvailable,
    IReadOnlyDictionary<string, long> Queues,
    long QueuedTotal,
    bool DisplayPresent,
    string Display,
    string Board,
    [property: JsonPropertyName("fw")] string Firmware,
    IReadOnlyList<string> StalledLoops,
    bool ButtonStuck,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? ButtonStuckSince,
    [property: JsonPropertyName("ts"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? Timestamp);

/// <summary><c>&lt;prefix&gt;/telemetry</c>: every <c>TelemetrySeconds</c>; null where the platform has no value (written as null).</summary>
internal sealed record TelemetryPayload(
    long UptimeS,
    long? SystemUptimeS,
    double? CpuTempC,
    [property: JsonPropertyName("load1")] double? Load1,
    [property: JsonPropertyName("load5")] double? Load5,
    [property: JsonPropertyName("load15")] double? Load15,
    double? MemUsedPct,
    long? MemAvailableMb,
    long? DiskRootFreeMb,
    long? DataFreeMb,
    string? Throttled,
    bool? UndervoltageNow,
    bool? FreqCappedNow,
    bool? ThrottledNow,
    bool? SoftTempLimitNow,
    bool? UndervoltageSinceBoot,
    bool? ThrottledSinceBoot,
    long MsgsIn,
    long MsgsOut,
    long MsgsFailed,
    long WaReconnects,
    long TunnelReconnects,
    long MqttReconnects,
    long QueuedTotal,
    [property: JsonPropertyName("ts")] DateTimeOffset Timestamp,
    long? MsgsInToday = null,
    long? MsgsOutToday = null,
    long? MsgsFailedToday = null,
    long? MsgsQueued = null);

/// <summary><c>&lt;prefix&gt;/event</c>: one notable event, not retained; <c>seq</c> increases by one per event; nulls are left out.</summary>
internal sealed record EventPayload(
    [property: JsonPropertyName("seq")] long Sequence,
    string Type,
    [property: JsonPropertyName("ts")] DateTimeOffset Timestamp,
    string? From = null,
    string? To = null,
    string? Reason = null,
    long? Count = null,
    long? Missed = null);
