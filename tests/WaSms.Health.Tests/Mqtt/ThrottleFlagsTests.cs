using WaSms.Health.Mqtt;

namespace WaSms.Health.Tests.Mqtt;

public sealed class ThrottleFlagsTests
{
    [Theory]
    [InlineData("throttled=0x50005\n", 0x50005u)]
    [InlineData("0x0", 0u)]
    [InlineData("50005\n", 0x50005u)]
    public void TryParse_KnownForms_ReadsHex(string text, uint raw)
    {
        Assert.True(ThrottleFlags.TryParse(text, out var flags));
        Assert.Equal(raw, flags.Raw);
    }

    [Theory]
    [InlineData("")]
    [InlineData("throttled=zz")]
    public void TryParse_Garbage_IsFalse(string text) => Assert.False(ThrottleFlags.TryParse(text, out _));

    [Fact]
    public void Bits_FollowTheFirmwareLayout()
    {
        var flags = new ThrottleFlags(0x5_0005);
        Assert.True(flags.UnderVoltageNow);
        Assert.False(flags.FrequencyCappedNow);
        Assert.True(flags.ThrottledNow);
        Assert.False(flags.SoftTemperatureLimitNow);
        Assert.True(flags.UnderVoltageSinceBoot);
        Assert.True(flags.ThrottledSinceBoot);
        Assert.False(flags.FrequencyCappedSinceBoot);
        Assert.Equal("0x50005", flags.Hex);
    }
}
