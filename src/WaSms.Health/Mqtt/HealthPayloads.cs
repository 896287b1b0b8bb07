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
    [property: JsonPropertyName("ts"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? Timestamp,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] UpdateStatePayload? Update = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] LastUpdatePayload? LastUpdate = null);

/// <summary>
/// <c>update</c> in the state payload: the update being installed (<c>installing</c>, <c>installed</c>: reboot to run it;
/// percent and RAUC's step), or one found rolled back at start-up (<c>rolled-back</c>, with the reason); null otherwise.
/// </summary>
internal sealed record UpdateStatePayload(string Phase, string? Version, int? Percent, string? Step, string? Reason);

/// <summary><c>last_update</c> in the state payload: how the last update ended (<c>installed</c> or <c>rolled-back</c>), since this start.</summary>
internal sealed record LastUpdatePayload(string? Version, string Result, DateTimeOffset At, string? Reason);

/// <summary>
/// <c>&lt;prefix&gt;/update</c>, retained: the state of Home Assistant's MQTT <c>update</c> entity in the JSON form its
/// <c>state_topic</c> accepts (https://www.home-assistant.io/integrations/update.mqtt/): the running and newest
/// versions, <c>in_progress</c> and <c>update_percentage</c> while installing (null resets it), and a release summary that
/// says when the last update was rolled back (Home Assistant shows at most 255 characters).
/// </summary>
internal sealed record HomeAssistantUpdatePayload(
    string InstalledVersion,
    string LatestVersion,
    string Title,
    bool InProgress,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? UpdatePercentage,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? ReleaseSummary);

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
