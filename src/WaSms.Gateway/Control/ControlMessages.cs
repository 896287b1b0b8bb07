using System.Text.Json.Serialization;
using WaSms.Gateway.Updates;

namespace WaSms.Gateway.Control;

/// <summary>One request on the control socket: one JSON line in, one JSON line out.</summary>
/// <param name="To">send: <c>+E164</c> or a group JID. <paramref name="Text"/>: send, dev say. <paramref name="Id"/>: send's caller id.</param>
/// <param name="WaitSeconds">send: how long to wait for <c>sent</c>; messages: how long to wait for a first new event (0: answer at once).</param>
/// <param name="Cursor">messages: the events after this one.</param>
/// <param name="From">dev say/group-say: the emulated contact; dev inbox: the contact whose inbox to show.</param>
/// <param name="Bundle">update: the absolute path of the update bundle (docs/updates.md).</param>
/// <param name="Url">update: the https URL the gateway downloads the bundle from, instead of <paramref name="Bundle"/>.</param>
/// <param name="Sha256">update: the bundle's sha256 (hex), checked after the download.</param>
/// <param name="Reboot">update: reboot once installed.</param>
/// <param name="Offer">update: install the platform's offer now.</param>
/// <param name="Group">dev group-say: the group's JID or subject.</param>
public sealed record ControlRequest(string Command, double? HoldSeconds = null, bool Factory = false, string? Qr = null, string? PhoneNumber = null,
    string? To = null, string? Text = null, string? Id = null, double? WaitSeconds = null, long? Cursor = null, string? From = null, string? Group = null,
    string? Bundle = null, string? Url = null, string? Sha256 = null, bool Reboot = false, bool Offer = false, string? Version = null,
    bool WhenQuiet = false, bool Urgent = false);

/// <param name="Code">Why it failed, for the CLI's exit code: <c>usage</c>, <c>not-linked</c>, <c>timeout</c>; null for other failures.</param>
public sealed record ControlResponse(bool Ok, string? Error = null, StatusReport? Status = null, string? Message = null, string? Code = null,
    SendReport? Send = null, IReadOnlyList<EventReport>? Events = null, IReadOnlyList<GroupReport>? Groups = null, IReadOnlyList<InboxReport>? Inbox = null,
    IReadOnlyList<OptOutReport>? OptOuts = null, UpdateReport? Update = null);

/// <summary>A send job as <c>send</c> reports it.</summary>
public sealed record SendReport(string Id, string? CallerId, string Chat, string Status, string? Reason);

/// <summary>
/// One stream event as <c>messages --json</c> prints it: an inbound message (<c>kind</c> <c>message</c>) or a
/// status change of a send (<c>status</c>; <c>chat</c> and <c>from</c> are the chat it went to).
/// </summary>
public sealed record EventReport(long Cursor, string Id, string Kind, string Chat, string From, DateTimeOffset Timestamp, string Type,
    string? Text = null, string? Status = null, string? Reason = null, bool? FromMe = null, string? PushName = null, string? SenderAlt = null, string? CallerId = null);

/// <summary>A group the linked number is in.</summary>
public sealed record GroupReport(string Jid, string Subject, int Participants, string AddressingMode);

/// <summary>A message in a dev-mode emulated contact's inbox.</summary>
public sealed record InboxReport(string Id, string Chat, string From, string Text, DateTimeOffset At);

/// <summary>Today's message counters (the gateway's local day).</summary>
public sealed record TodayReport(DateOnly Day, long In, long Out, long Failed, long Queued);

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
    ButtonReport? Button = null,
    TodayReport? Today = null,
    PacingReport? Pacing = null,
    TunnelReport? Tunnel = null,
    UpdateReport? Update = null,
    LastUpdateReport? LastUpdate = null);

/// <summary>
/// How the last update ended (<c>lastUpdate</c>), known since this start: <c>installed</c> (it runs now) or <c>rolled-back</c>
/// (it did not come up; <paramref name="Reason"/> says why, shown until the next update works or <c>update-dismiss</c>).
/// </summary>
public sealed record LastUpdateReport(string? Version, string Result, DateTimeOffset At, string? Reason = null);

/// <summary>Whether the acceptable-use rules pause sending now (a temporary ban, a cap), why, and until when (null: until the ban ends).</summary>
public sealed record PacingReport(bool Paused, string? Reason, DateTimeOffset? Until);

/// <summary>One entry of <c>wasms-gateway optouts</c>: who, by which keyword and message (null when added otherwise), when.</summary>
public sealed record OptOutReport(string Phone, string Keyword, string? MessageId, DateTimeOffset At);

/// <summary>The platform tunnel: its state name, the line <c>status</c> shows, since when, an update the platform offered, and why (a stop's or refusal's cause; empty when nothing to add).</summary>
public sealed record TunnelReport(string State, string Line, DateTimeOffset Since, string? UpdateAvailable, string Reason = "");

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
[JsonSerializable(typeof(EventReport))]
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
