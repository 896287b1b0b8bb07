using System.Text.Json;
using System.Text.Json.Serialization;

namespace WaSms.Gateway.Tunnel.Protocol;

/// <summary>
/// One frame of docs/tunnel.md (protocol v1). Every field a peer sends is nullable here so that a missing
/// field is reported by <see cref="FrameValidator"/> by name instead of failing inside the serializer.
/// </summary>
public abstract class TunnelFrame
{
    /// <summary>The frame's <c>type</c>, written first.</summary>
    [JsonPropertyOrder(-1)]
    public abstract string Type { get; }
}

/// <summary>A frame numbered by the platform's <c>seq</c> (§6, §7.1): executed at most once.</summary>
public interface IReliableFrame
{
    long? Seq { get; }
}

public sealed class ChallengeFrame : TunnelFrame
{
    public override string Type => FrameTypes.Challenge;
    public string? Nonce { get; init; }
    public string? Time { get; init; }
}

public sealed class EnrollFrame : TunnelFrame
{
    public override string Type => FrameTypes.Enroll;
    public int? V { get; init; }
    public string? Code { get; init; }
    public string? PublicKey { get; init; }
    public string? Signature { get; init; }
    public string? Firmware { get; init; }
    public string? Board { get; init; }
}

public sealed class EnrolledFrame : TunnelFrame
{
    public override string Type => FrameTypes.Enrolled;
    public string? GatewayId { get; init; }
    public string? Account { get; init; }
}

public sealed class HelloFrame : TunnelFrame
{
    public override string Type => FrameTypes.Hello;
    public int? V { get; init; }
    public string? GatewayId { get; init; }
    public string? Signature { get; init; }
    public string? Firmware { get; init; }
    public string? Board { get; init; }
    public ResumeInfo? Resume { get; init; }
}

public sealed class ResumeInfo
{
    public long? PlatformSeq { get; init; }
}

public sealed class WelcomeFrame : TunnelFrame
{
    public override string Type => FrameTypes.Welcome;
    public string? Session { get; init; }
    public long? AckedCursor { get; init; }
    public int? Window { get; init; }
    public int? PingInterval { get; init; }
    public int? PingTimeout { get; init; }
    public PacingSettings? Pacing { get; init; }
}

/// <summary>The acceptable-use settings of §6.1 (seconds; caps 0 = none).</summary>
public sealed class PacingSettings
{
    public double? MinGap { get; init; }
    public double? MaxGap { get; init; }
    public int? HourlyCap { get; init; }
    public int? DailyCap { get; init; }
    public double? Cooldown { get; init; }
}

public sealed class EventFrame : TunnelFrame
{
    public override string Type => FrameTypes.Event;
    public long? Cursor { get; init; }
    public string? Kind { get; init; }
    public MessageInfo? Message { get; init; }
    public StatusInfo? Status { get; init; }
}

public sealed class MessageInfo
{
    public string? Id { get; init; }
    public string? Chat { get; init; }
    public string? From { get; init; }
    public bool? FromMe { get; init; }
    public string? PushName { get; init; }
    public string? Timestamp { get; init; }
    [JsonPropertyName("type")]
    public string? MessageType { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Text { get; init; }
    public bool? OptOut { get; init; }

    /// <summary>Only when true (docs/tunnel.md §5): this message took its sender off the opt-out list.</summary>
    public bool? OptIn { get; init; }
}

public sealed class StatusInfo
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? JobId { get; init; }
    public string? MessageId { get; init; }
    public string? State { get; init; }
    public string? At { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Reason { get; init; }
}

public sealed class AckFrame : TunnelFrame
{
    public override string Type => FrameTypes.Ack;
    public long? Cursor { get; init; }
}

public sealed class SendFrame : TunnelFrame, IReliableFrame
{
    public override string Type => FrameTypes.Send;
    public long? Seq { get; init; }
    public string? JobId { get; init; }
    public string? To { get; init; }
    public string? Kind { get; init; }
    public string? Text { get; init; }
    public int? Priority { get; init; }
}

public sealed class JobFrame : TunnelFrame
{
    public override string Type => FrameTypes.Job;
    public string? JobId { get; init; }
    public long? Seq { get; init; }
    public string? State { get; init; }
    public string? MessageId { get; init; }
    public string? Reason { get; init; }
    public string? At { get; init; }
    public string? SentAt { get; init; }
    public string? DeliveredAt { get; init; }
    public string? ReadAt { get; init; }
    public string? FailedAt { get; init; }
}

public sealed class CommandFrame : TunnelFrame, IReliableFrame
{
    public override string Type => FrameTypes.Command;
    public long? Seq { get; init; }
    public string? Id { get; init; }
    public string? Name { get; init; }
    public JsonElement? Args { get; init; }
}

public sealed class ResultFrame : TunnelFrame
{
    public override string Type => FrameTypes.Result;
    public string? Id { get; init; }
    public long? Seq { get; init; }
    public bool? Ok { get; init; }
    public string? Error { get; init; }
    public string? Message { get; init; }
    public JsonElement? Data { get; init; }
}

public sealed class StateFrame : TunnelFrame
{
    public override string Type => FrameTypes.State;
    public string? State { get; init; }
    public string? Reason { get; init; }
    public string? Since { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Problem { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public AccountInfo? Account { get; init; }
    public CountersInfo? Counters { get; init; }
    public string? Firmware { get; init; }
    public string? Board { get; init; }
    public double? ClockSkew { get; init; }
    public PacingState? Pacing { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public UpdateOffer? Update { get; init; }
    /// <summary>How the last update ended, known since this start (installed, or rolled back with why); null: nothing to report.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public LastUpdateInfo? LastUpdate { get; init; }
}

public sealed class LastUpdateInfo
{
    /// <summary>The version installed; null for a rollback of an update the gateway did not install itself.</summary>
    public string? Version { get; init; }
    /// <summary><c>installed</c> or <c>rolled-back</c>.</summary>
    public string? Result { get; init; }
    public string? At { get; init; }
    public string? Reason { get; init; }
}

public sealed class AccountInfo
{
    public string? Phone { get; init; }
    public string? Name { get; init; }
}

public sealed class CountersInfo
{
    public string? Day { get; init; }
    public int? In { get; init; }
    public int? Out { get; init; }
    public int? Failed { get; init; }
    public int? Queued { get; init; }
}

public sealed class PacingState
{
    public bool? Paused { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Reason { get; init; }
    /// <summary>When sending may go on (a cap's window moving on), absent when unknown (a ban).</summary>
    public string? Until { get; init; }
}

/// <summary>The <c>update-available</c> command's arguments (§7.1), also what <c>state.update</c> carries.</summary>
public sealed class UpdateOffer
{
    public string? Version { get; init; }
    public string? Url { get; init; }
    public string? Sha256 { get; init; }
    public string? Signature { get; init; }
    /// <summary>Install at once rather than at a quiet moment (a security fix); absent: false.</summary>
    public bool? Urgent { get; init; }
}

public sealed class PairingFrame : TunnelFrame
{
    public override string Type => FrameTypes.Pairing;
    public string? Mode { get; init; }
    public string? Qr { get; init; }
    public string? Code { get; init; }
    public string? Phone { get; init; }
    public string? ExpiresAt { get; init; }
}

public sealed class PingFrame : TunnelFrame
{
    public override string Type => FrameTypes.Ping;
    public string? Id { get; init; }
}

public sealed class PongFrame : TunnelFrame
{
    public override string Type => FrameTypes.Pong;
    public string? Id { get; init; }
}

public sealed class ErrorFrame : TunnelFrame
{
    public override string Type => FrameTypes.Error;
    public string? Code { get; init; }
    public string? Message { get; init; }
    public bool? Terminal { get; init; }
    public int? RetryAfter { get; init; }
}

/// <summary>The <c>pair-code</c> command's arguments and result data (§7.1).</summary>
public sealed class PairCodeArgs
{
    public string? Phone { get; init; }
}

public sealed class PairCodeData
{
    public string? Code { get; init; }
    public string? ExpiresAt { get; init; }
}

public sealed class ResetArgs
{
    public string? Mode { get; init; }
}

public static class FrameTypes
{
    public const string Challenge = "challenge", Enroll = "enroll", Enrolled = "enrolled", Hello = "hello", Welcome = "welcome",
        Event = "event", Ack = "ack", Send = "send", Job = "job", Command = "command", Result = "result", State = "state",
        Pairing = "pairing", Ping = "ping", Pong = "pong", Error = "error";
}
