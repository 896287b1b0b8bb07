using System.Text.Json.Serialization;
using WaSms.Gateway.Control;

namespace WaSms.Gateway.Simulator;

/// <summary>The <c>state</c> event: what the status line of the page shows.</summary>
internal sealed record StateView(
    string State,
    string Reason,
    DateTimeOffset Since,
    long Sequence,
    string? PairingCode,
    DateTimeOffset? QrExpiresAt,
    string? Account,
    bool CanScan);

/// <summary>The <c>frame</c> event: a new panel frame is at <c>/frame.png?v=Version</c>.</summary>
internal sealed record FrameView(long Version, int Width, int Height);

/// <summary>The <c>leds</c> event: each LED's mode (docs/hardware/led-patterns.md), kebab-case.</summary>
internal sealed record LedsView(string Green, string Amber, string Red, Dictionary<string, int[]> Timings)
{
    // Records compare dictionaries by reference; the stream only needs "did anything change".
    public bool Equals(LedsView? other) =>
        other is not null && Green == other.Green && Amber == other.Amber && Red == other.Red;

    public override int GetHashCode() => HashCode.Combine(Green, Amber, Red);
}

/// <summary>The <c>button</c> event: whether the button is down (pressed from the page).</summary>
internal sealed record ButtonView(bool Down);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StateView))]
[JsonSerializable(typeof(FrameView))]
[JsonSerializable(typeof(LedsView))]
[JsonSerializable(typeof(ButtonView))]
[JsonSerializable(typeof(ControlResponse))]
internal sealed partial class SimulatorJson : JsonSerializerContext;
