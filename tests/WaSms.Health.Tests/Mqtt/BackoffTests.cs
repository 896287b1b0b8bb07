using WaSms.Health.Mqtt;

namespace WaSms.Health.Tests.Mqtt;

public sealed class BackoffTests
{
    [Theory]
    [InlineData(0, 0.0, 500)]
    [InlineData(0, 1.0, 1000)]
    [InlineData(3, 0.0, 4000)]
    [InlineData(3, 0.999999, 8000)]
    [InlineData(20, 0.0, 30000)]
    [InlineData(1000, 1.0, 60000)]
    public void Next_DoublesWithHalfJitterUpToTheCap(int attempt, double unit, int expectedMs) =>
        Assert.Equal(expectedMs, Backoff.Next(attempt, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), unit).TotalMilliseconds, 0);
}
