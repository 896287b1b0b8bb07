using WaSms.Health.Mqtt;

namespace WaSms.Health.Tests.Mqtt;

public sealed class PayloadRedactorTests
{
    [Theory]
    [InlineData("Linked to +1 555 123 4567", "Linked to [redacted]")]
    [InlineData("Lost 15551234567:3", "Lost [redacted]:3")]
    [InlineData("Ban code 101, retry in 30 min", "Ban code 101, retry in 30 min")]
    public void Text_MasksDigitRunsOnly(string text, string expected) =>
        Assert.Equal(expected, PayloadRedactor.Text(text, []));
}
