using WaSms.Core.State;

namespace WaSms.Core.Tests.State;

public sealed class GatewayStateNamesTests
{
    [Fact]
    public void Names_AreTheContractNames()
    {
        Assert.Equal(
            ["booting", "unpaired", "pairing", "connecting", "online", "degraded", "relink-needed",
             "client-outdated", "temp-banned", "resetting", "updating", "fatal"],
            Enum.GetValues<GatewayState>().Select(s => s.ToName()));
    }

    [Theory]
    [InlineData("relink-needed", GatewayState.RelinkNeeded)]
    [InlineData("temp-banned", GatewayState.TempBanned)]
    public void TryParse_KebabName_GivesState(string name, GatewayState expected)
    {
        Assert.True(GatewayStateNames.TryParse(name, out var state));
        Assert.Equal(expected, state);
    }

    [Theory]
    [InlineData("RelinkNeeded")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParse_OtherText_Fails(string? name)
    {
        Assert.False(GatewayStateNames.TryParse(name, out _));
    }
}
