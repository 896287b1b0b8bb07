using WaSms.Hardware.Pi;

namespace WaSms.Hardware.Tests.Pi;

/// <summary>
/// Board detection over fake file-system roots, shaped like what the service sees: the hardened unit
/// (<c>ProcSubset=pid</c>) has no <c>/proc/device-tree</c>, only <c>/sys/firmware/devicetree/base</c>.
/// </summary>
public sealed class PiDetectionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void SandboxedService_SeesTheModelOnlyUnderSys_IsDetected()
    {
        Write("dev/gpiochip0", "");
        Write("sys/firmware/devicetree/base/model", "Raspberry Pi 3 Model B Rev 1.2\0");
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, "proc")), "the sandbox case has no /proc/device-tree");

        Assert.True(PiBoard.IsDetected(_dir.Path));
    }

    [Fact]
    public void UnsandboxedProcess_SeesTheModelUnderProc_IsDetected()
    {
        Write("dev/gpiochip0", "");
        Write("proc/device-tree/model", "Raspberry Pi Zero 2 W Rev 1.0\0");

        Assert.True(PiBoard.IsDetected(_dir.Path));
    }

    [Fact]
    public void OtherArmBoard_WithGpio_IsNotAPi()
    {
        Write("dev/gpiochip0", "");
        Write("sys/firmware/devicetree/base/model", "linux,dummy-virt\0");

        Assert.False(PiBoard.IsDetected(_dir.Path));
    }

    [Fact]
    public void PiModel_WithoutGpioCharacterDevice_IsNotUsable()
    {
        Write("sys/firmware/devicetree/base/model", "Raspberry Pi 4 Model B Rev 1.4\0");

        Assert.False(PiBoard.IsDetected(_dir.Path));
    }

    [Fact]
    public void ThisMachine_WithNoDeviceTree_IsNotAPi()
    {
        Assert.False(PiBoard.IsDetected(_dir.Path));
    }

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_dir.Path, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
