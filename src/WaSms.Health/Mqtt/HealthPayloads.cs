using System.Text.Json.Serialization;

namespace WaSms.Health.Mqtt;

/// <summary><c>&lt;prefix&gt;/state</c>: retained, re-published on every change and (re)connect.</summary>
internal sealed record StatePayload(
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("since")] DateTimeOffset Since,
    [property: JsonPropertyName("seq")] long Sequence,
    [property: JsonPropertyName("whatsapp_linked")] bool WhatsAppLinked,
    [property: JsonPropertyName("account_linked")] bool AccountLinked,
    [property: JsonPropertyName("tunnel")] string Tunnel,
    [property: JsonPropertyName("queues")] IReadOnlyDictionary<string, long> Queues,
    [property: JsonPropertyName("queued_total")] long QueuedTotal,
    [property: JsonPropertyName("display_present")] bool DisplayPresent,
    [property: JsonPropertyName("display")] string Display,
    [property: JsonPropertyName("board")] string Board,
    [property: JsonPropertyName("fw")] string Firmware,
    [property: JsonPropertyName("stalled_loops")] IReadOnlyList<string> StalledLoops,
    [property: JsonPropertyName("button_stuck")] bool ButtonStuck,
    [property: JsonPropertyName("button_stuck_since"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? ButtonStuckSince,
    [property: JsonPropertyName("ts"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? Timestamp);

/// <summary><c>&lt;prefix&gt;/telemetry</c>: every <c>TelemetrySeconds</c>; null where the platform has no value.</summary>
internal sealed record TelemetryPayload(
    [property: JsonPropertyName("uptime_s")] long UptimeSeconds,
    [property: JsonPropertyName("system_uptime_s")] long? SystemUptimeSeconds,
    [property: JsonPropertyName("cpu_temp_c")] double? CpuTemperatureCelsius,
    [property: JsonPropertyName("load1")] double? Load1,
    [property: JsonPropertyName("load5")] double? Load5,
    [property: JsonPropertyName("load15")] double? Load15,
    [property: JsonPropertyName("mem_used_pct")] double? MemoryUsedPercent,
    [property: JsonPropertyName("mem_available_mb")] long? MemoryAvailableMegabytes,
    [property: JsonPropertyName("disk_root_free_mb")] long? RootFreeMegabytes,
    [property: JsonPropertyName("data_free_mb")] long? DataFreeMegabytes,
    [property: JsonPropertyName("throttled")] string? Throttled,
    [property: JsonPropertyName("undervoltage_now")] bool? UnderVoltageNow,
    [property: JsonPropertyName("freq_capped_now")] bool? FrequencyCappedNow,
    [property: JsonPropertyName("throttled_now")] bool? ThrottledNow,
    [property: JsonPropertyName("soft_temp_limit_now")] bool? SoftTemperatureLimitNow,
    [property: JsonPropertyName("undervoltage_since_boot")] bool? UnderVoltageSinceBoot,
    [property: JsonPropertyName("throttled_since_boot")] bool? ThrottledSinceBoot,
    [property: JsonPropertyName("msgs_in")] long MessagesIn,
    [property: JsonPropertyName("msgs_out")] long MessagesOut,
    [property: JsonPropertyName("msgs_failed")] long MessagesFailed,
    [property: JsonPropertyName("wa_reconnects")] long WhatsAppReconnects,
    [property: JsonPropertyName("tunnel_reconnects")] long TunnelReconnects,
    [property: JsonPropertyName("mqtt_reconnects")] long MqttReconnects,
    [property: JsonPropertyName("queued_total")] long QueuedTotal,
    [property: JsonPropertyName("ts")] DateTimeOffset Timestamp);

/// <summary><c>&lt;prefix&gt;/event</c>: one notable event, not retained; <c>seq</c> increases by one per event.</summary>
internal sealed record EventPayload(
    [property: JsonPropertyName("seq")] long Sequence,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("ts")] DateTimeOffset Timestamp,
    [property: JsonPropertyName("from"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? From = null,
    [property: JsonPropertyName("to"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? To = null,
    [property: JsonPropertyName("reason"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason = null,
    [property: JsonPropertyName("count"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Count = null,
    [property: JsonPropertyName("missed"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Missed = null);
