using System.Text.Json.Serialization;

namespace WaSms.Gateway.Tunnel.Protocol;

/// <summary>The source-generated (reflection-free, AOT-safe) serializer of every tunnel frame.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(ChallengeFrame))]
[JsonSerializable(typeof(EnrollFrame))]
[JsonSerializable(typeof(EnrolledFrame))]
[JsonSerializable(typeof(HelloFrame))]
[JsonSerializable(typeof(WelcomeFrame))]
[JsonSerializable(typeof(EventFrame))]
[JsonSerializable(typeof(AckFrame))]
[JsonSerializable(typeof(SendFrame))]
[JsonSerializable(typeof(JobFrame))]
[JsonSerializable(typeof(CommandFrame))]
[JsonSerializable(typeof(ResultFrame))]
[JsonSerializable(typeof(StateFrame))]
[JsonSerializable(typeof(PairingFrame))]
[JsonSerializable(typeof(PingFrame))]
[JsonSerializable(typeof(PongFrame))]
[JsonSerializable(typeof(ErrorFrame))]
[JsonSerializable(typeof(PacingSettings))]
[JsonSerializable(typeof(PairCodeArgs))]
[JsonSerializable(typeof(PairCodeData))]
[JsonSerializable(typeof(ResetArgs))]
[JsonSerializable(typeof(UpdateOffer))]
internal sealed partial class TunnelJson : JsonSerializerContext;
