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

    [Theory]
    [InlineData("Linked to +\u2022\u2022\u2022\u2022\u2022\u2022\u20220123; logging in", "Linked to [redacted]; logging in")]
    [InlineData("number ending 0123, ban code 515", "number ending [redacted], ban code 515")]
    [InlineData("LID ends 1234", "LID ends [redacted]")]
    [InlineData("retry in 30 min", "retry in 30 min")]
    public void Text_WithAnAccount_MasksMaskedNumbersAndPiecesOfTheNumber(string text, string expected) =>
        Assert.Equal(expected, PayloadRedactor.Text(text, ["15555550123", "98765432101234"]));
}
