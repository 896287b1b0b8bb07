using WaSms.Health.Mqtt;

namespace WaSms.Health.Tests.Mqtt;

public sealed class SystemMetricsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task FakePi_ReadsEverything()
    {
        FakeProcSys.Write(_dir.Path);
        var sample = await new SystemMetrics(_dir.Path, _dir.Path, vcgencmd: null).SampleAsync(CancellationToken.None);
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
        var sample = await new SystemMetrics(_dir.Path, _dir.Path, vcgencmd: "/nonexistent/vcgencmd").SampleAsync(CancellationToken.None);
        Assert.Null(sample.CpuTemperatureCelsius);
        Assert.Null(sample.Load1);
        Assert.Null(sample.MemoryUsedPercent);
        Assert.Null(sample.Throttle);
    }

    [Fact]
    public async Task Vcgencmd_IsUsedWhenSysfsIsMissing()
    {
        var script = Path.Combine(_dir.Path, "vcgencmd");
        await File.WriteAllTextAsync(script, "#!/bin/sh\necho throttled=0x1\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var sample = await new SystemMetrics(_dir.Path, _dir.Path, vcgencmd: script).SampleAsync(CancellationToken.None);
        Assert.True(sample.Throttle!.Value.UnderVoltageNow);
    }

    public void Dispose() => _dir.Dispose();
}
