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

public sealed class GatewayIdentityTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("wasms-id-").FullName;

    [Fact]
    public async Task BoardSerial_GivesIdFromItsLastEightHexDigits()
    {
        FakeProcSys.Write(_root, withSerial: true);
        var id = await new GatewayIdentity(Path.Combine(_root, "state"), _root).GetAsync(CancellationToken.None);
        Assert.Equal("wasms-b2c4d6e8", id);
        Assert.False(File.Exists(Path.Combine(_root, "state", "gateway-id")));
    }

    [Fact]
    public async Task NoSerial_GeneratesOnceKeepsItOwnerOnly()
    {
        var state = Path.Combine(_root, "state");
        var first = await new GatewayIdentity(state, _root).GetAsync(CancellationToken.None);
        var second = await new GatewayIdentity(state, _root).GetAsync(CancellationToken.None);
        Assert.Matches("^wasms-[0-9a-f]{8}$", first);
        Assert.Equal(first, second);
        var file = Path.Combine(state, "gateway-id");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    [Fact]
    public async Task DamagedFile_IsReplaced()
    {
        var state = Path.Combine(_root, "state");
        Directory.CreateDirectory(state);
        await File.WriteAllTextAsync(Path.Combine(state, "gateway-id"), "bad id/with+wildcards#");
        var id = await new GatewayIdentity(state, _root).GetAsync(CancellationToken.None);
        Assert.Matches("^wasms-[0-9a-f]{8}$", id);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}

public sealed class SystemMetricsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("wasms-metrics-").FullName;

    [Fact]
    public async Task FakePi_ReadsEverything()
    {
        FakeProcSys.Write(_root);
        var sample = await new SystemMetrics(_root, _root, vcgencmd: null).SampleAsync(CancellationToken.None);
        Assert.Equal(12345.67, sample.SystemUptimeSeconds);
        Assert.Equal(48.3, sample.CpuTemperatureCelsius);
        Assert.Equal((0.52, 0.40, 0.30), (sample.Load1!.Value, sample.Load5!.Value, sample.Load15!.Value));
        Assert.Equal(25.0, sample.MemoryUsedPercent);
        Assert.Equal(732, sample.MemoryAvailableMegabytes);
        Assert.True(sample.DataFreeMegabytes > 0);
        Assert.Equal(0x50005u, sample.Throttle!.Value.Raw);
    }

    [Fact]
    public async Task EmptyRoot_GivesNullsNotErrors()
    {
        var sample = await new SystemMetrics(_root, _root, vcgencmd: "/nonexistent/vcgencmd").SampleAsync(CancellationToken.None);
        Assert.Null(sample.CpuTemperatureCelsius);
        Assert.Null(sample.Load1);
        Assert.Null(sample.MemoryUsedPercent);
        Assert.Null(sample.Throttle);
    }

    [Fact]
    public async Task Vcgencmd_IsUsedWhenSysfsIsMissing()
    {
        var script = Path.Combine(_root, "vcgencmd");
        await File.WriteAllTextAsync(script, "#!/bin/sh\necho throttled=0x1\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var sample = await new SystemMetrics(_root, _root, vcgencmd: script).SampleAsync(CancellationToken.None);
        Assert.True(sample.Throttle!.Value.UnderVoltageNow);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}

public sealed class PayloadRedactorTests
{
    [Theory]
    [InlineData("Linked to +1 555 123 4567", "Linked to [redacted]")]
    [InlineData("Lost 15551234567:3", "Lost [redacted]:3")]
    [InlineData("Ban code 101, retry in 30 min", "Ban code 101, retry in 30 min")]
    public void Text_MasksDigitRunsOnly(string text, string expected) =>
        Assert.Equal(expected, PayloadRedactor.Text(text, []));
}
