using WaSms.Core.State;
using static WaSms.Core.State.GatewayState;
using static WaSms.Core.State.GatewayTrigger;

namespace WaSms.Core.Tests.State;

/// <summary>
/// The transition table, written out independently of the implementation: every (state, trigger)
/// pair is either listed here with its target, or must be rejected.
/// </summary>
public sealed class GatewayTransitionsTests
{
    // null target = "resume the state held before resetting/updating".
    private static readonly Dictionary<(GatewayState, GatewayTrigger), GatewayState?> Expected = new()
    {
        [(Booting, NeedsPairing)] = Unpaired,
        [(Booting, Connect)] = Connecting,
        [(Booting, ResetDone)] = Unpaired,
        [(Booting, Fail)] = Fatal,

        [(Unpaired, NeedsPairing)] = Unpaired,
        [(Unpaired, PairingStarted)] = Pairing,
        [(Unpaired, VersionRejected)] = ClientOutdated,
        [(Unpaired, ResetRequested)] = Resetting,
        [(Unpaired, UpdateStarted)] = Updating,
        [(Unpaired, Fail)] = Fatal,

        [(Pairing, NeedsPairing)] = Unpaired,
        [(Pairing, Connect)] = Connecting,
        [(Pairing, LoggedOut)] = RelinkNeeded,
        [(Pairing, VersionRejected)] = ClientOutdated,
        [(Pairing, ResetRequested)] = Resetting,
        [(Pairing, Fail)] = Fatal,

        [(Connecting, NeedsPairing)] = Unpaired,
        [(Connecting, LinkUp)] = Online,
        [(Connecting, LinkDown)] = Connecting,
        [(Connecting, LoggedOut)] = RelinkNeeded,
        [(Connecting, VersionRejected)] = ClientOutdated,
        [(Connecting, Banned)] = TempBanned,
        [(Connecting, ResetRequested)] = Resetting,
        [(Connecting, UpdateStarted)] = Updating,
        [(Connecting, Fail)] = Fatal,

        [(Online, LinkDown)] = Degraded,
        [(Online, LoggedOut)] = RelinkNeeded,
        [(Online, VersionRejected)] = ClientOutdated,
        [(Online, Banned)] = TempBanned,
        [(Online, ResetRequested)] = Resetting,
        [(Online, UpdateStarted)] = Updating,
        [(Online, Fail)] = Fatal,

        [(Degraded, LinkUp)] = Online,
        [(Degraded, LinkDown)] = Degraded,
        [(Degraded, LoggedOut)] = RelinkNeeded,
        [(Degraded, VersionRejected)] = ClientOutdated,
        [(Degraded, Banned)] = TempBanned,
        [(Degraded, ResetRequested)] = Resetting,
        [(Degraded, UpdateStarted)] = Updating,
        [(Degraded, Fail)] = Fatal,

        [(RelinkNeeded, NeedsPairing)] = Unpaired,
        [(RelinkNeeded, ResetRequested)] = Resetting,
        [(RelinkNeeded, UpdateStarted)] = Updating,
        [(RelinkNeeded, Fail)] = Fatal,

        [(ClientOutdated, Connect)] = Connecting,
        [(ClientOutdated, ResetRequested)] = Resetting,
        [(ClientOutdated, UpdateStarted)] = Updating,
        [(ClientOutdated, Fail)] = Fatal,

        [(TempBanned, Connect)] = Connecting,
        [(TempBanned, ResetRequested)] = Resetting,
        [(TempBanned, UpdateStarted)] = Updating,
        [(TempBanned, Fail)] = Fatal,

        [(Resetting, ResetDone)] = Unpaired,
        [(Resetting, ResetCancelled)] = null,
        [(Resetting, Fail)] = Fatal,

        [(Updating, UpdateFailed)] = null,
        [(Updating, Fail)] = Fatal,

        [(Fatal, ResetRequested)] = Resetting,
        [(Fatal, UpdateStarted)] = Updating,
    };

    public static TheoryData<GatewayState, GatewayTrigger> EveryPair()
    {
        var data = new TheoryData<GatewayState, GatewayTrigger>();
        foreach (var state in Enum.GetValues<GatewayState>())
        {
            foreach (var trigger in Enum.GetValues<GatewayTrigger>())
            {
                data.Add(state, trigger);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void TryGetTarget_EveryStateAndTrigger_MatchesTheTable(GatewayState state, GatewayTrigger trigger)
    {
        var allowed = GatewayTransitions.TryGetTarget(state, trigger, out var target);

        if (Expected.TryGetValue((state, trigger), out var expected))
        {
            Assert.True(allowed, $"{state} + {trigger} should be allowed");
            Assert.Equal(expected, target);
        }
        else
        {
            Assert.False(allowed, $"{state} + {trigger} should be rejected, got {target}");
        }
    }

    [Fact]
    public void All_ListsExactlyTheExpectedRules()
    {
        Assert.Equal(Expected.Count, GatewayTransitions.All.Count());
    }

    [Fact]
    public void EveryState_IsReachable()
    {
        var reachable = GatewayTransitions.All.Where(t => t.To is not null).Select(t => t.To!.Value).Append(Booting).ToHashSet();
        Assert.Equal(Enum.GetValues<GatewayState>().ToHashSet(), reachable);
    }
}
