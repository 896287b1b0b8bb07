using WaSms.Core.State;
using WaSms.Hardware.Leds;
using WaSms.Hardware.Tests.Display;

namespace WaSms.Hardware.Tests.Leds;

/// <summary>The state table in docs/hardware/led-patterns.md is what <see cref="LedPattern.For(GatewayState)"/> shows.</summary>
public sealed class LedPatternDocTests
{
    private static readonly Dictionary<string, LedMode> Modes = new()
    {
        ["off"] = LedMode.Off, ["on"] = LedMode.On, ["slow"] = LedMode.SlowBlink, ["fast"] = LedMode.FastBlink,
        ["code 2"] = LedMode.BlinkCode2, ["code 3"] = LedMode.BlinkCode3,
    };

    [Fact]
    public void TheDocumentedStateTable_MatchesLedPattern_ForEveryState()
    {
        var doc = File.ReadAllLines(Path.Combine(GoldenScreenTests.RepositoryRoot(), "docs", "hardware", "led-patterns.md"));
        var rows = doc.SkipWhile(l => !l.StartsWith("| state | green | amber | red |", StringComparison.Ordinal)).Skip(2)
            .TakeWhile(l => l.StartsWith('|'))
            .Select(l => l.Split('|', StringSplitOptions.TrimEntries)[1..5])
            .ToDictionary(c => c[0], c => new LedPattern(Mode(c[1]), Mode(c[2]), Mode(c[3])));

        foreach (var state in Enum.GetValues<GatewayState>())
        {
            Assert.True(rows.TryGetValue(state.ToName(), out var documented), $"docs/hardware/led-patterns.md has no row for {state.ToName()}");
            Assert.Equal((state.ToName(), LedPattern.For(state)), (state.ToName(), documented));
        }
    }

    [Fact]
    public void Updating_KeepsItsPattern_WhateverTheProgress()
    {
        var now = DateTimeOffset.UnixEpoch;
        var snapshot = new GatewaySnapshot(GatewayState.Updating, "Installing update 1.6.0", now, 3,
            Notices: [new UpdateProgress("1.6.0", "installing", 40, "Copying image to rootfs.1")]);

        Assert.Equal(new LedPattern(LedMode.FastBlink, LedMode.Off, LedMode.Off), LedPattern.For(snapshot));
    }

    private static LedMode Mode(string cell) => Modes[cell.Replace("*", "", StringComparison.Ordinal)];
}
