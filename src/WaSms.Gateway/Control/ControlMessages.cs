using System.Text.Json.Serialization;

namespace WaSms.Gateway.Control;

/// <summary>One request on the control socket: one JSON line in, one JSON line out.</summary>
public sealed record ControlRequest(string Command, double? HoldSeconds = null, bool Factory = false, string? Qr = null, string? PhoneNumber = null);

public sealed record ControlResponse(bool Ok, string? Error = null, StatusReport? Status = null, string? Message = null);

/// <summary>What <c>wasms-gateway status --json</c> prints.</summary>
public sealed record StatusReport(
    string State,
    string Reason,
    DateTimeOffset Since,
    long Sequence,
    string Version,
    long UptimeSeconds,
    AccountReport? Account,
    PairingReport? Pairing,
    IReadOnlyDictionary<string, long> Queues,
    BoardReport Board,
    IReadOnlyList<string> StalledLoops,
    string? SetupProblem = null,
    MqttReport? Mqtt = null,
    ButtonReport? Button = null);

public sealed record AccountReport(string Jid, string? Lid, string? PushName, string MaskedNumber);

public sealed record PairingReport(string? Qr, DateTimeOffset? QrExpiresAt, string? PairingCode, int RefNumber, int RefCount);

/// <summary>The MQTT health link (absent when <c>Mqtt:Host</c> is not set).</summary>
public sealed record MqttReport(string Broker, bool Connected, DateTimeOffset Since, string? LastError, DateTimeOffset? LastErrorAt);

/// <summary>The button's hardware fault: <paramref name="Stuck"/> while it has read pressed for <c>Board:ButtonStuckAfter</c>, since it went down.</summary>
public sealed record ButtonReport(bool Stuck, DateTimeOffset? Since);

public sealed record BoardReport(string Kind, string Display, bool DisplayPresent, string Green, string Amber, string Red, bool ButtonDown);

/// <summary>
/// What <c>status --json</c> prints when no status came: <c>not-running</c> (exit 3), <c>not-answering</c>
/// (exit 1) or <c>no-permission</c> (exit 1; <c>running</c> is left out: it cannot be told).
/// </summary>
public sealed record NoStatusReport(string State, bool? Running, string Reason);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(ControlRequest))]
[JsonSerializable(typeof(ControlResponse))]
[JsonSerializable(typeof(StatusReport))]
[JsonSerializable(typeof(NoStatusReport))]
internal sealed partial class ControlJson : JsonSerializerContext
{
    /// <summary>For people reading <c>status --json</c>: "&gt;" and non-ASCII stay as they are.</summary>
    public static ControlJson Readable { get; } = new(new System.Text.Json.JsonSerializerOptions
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
