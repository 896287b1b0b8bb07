using System.Device.Gpio;
using System.Device.Spi;
using WaSms.Hardware.Tests.Fakes;

namespace WaSms.Hardware.Tests.Display;

/// <summary>
/// A fake SPI bus with an e-paper panel on it: records every byte with the D/C level read from
/// the fake GPIO at write time, and plays the panel's BUSY line: high on master activation
/// (0x20) and software reset (0x12), low again after <see cref="BusyFor"/> of the fake clock
/// — or never, for a dead panel.
/// </summary>
public sealed class RecordingSpiDevice(FakeGpioDriver gpio, int dcPin, int busyPin, TimeProvider time) : SpiDevice
{
    private readonly List<ITimer> _timers = [];

    /// <summary>Every byte on the wire, with <c>IsData</c> = D/C high.</summary>
    public List<(byte Value, bool IsData)> Bytes { get; } = [];

    /// <summary>How long BUSY stays high after 0x20 or 0x12.</summary>
    public TimeSpan BusyFor { get; set; } = TimeSpan.FromMilliseconds(30);

    /// <summary>A dead panel: BUSY never goes low (it stays at the pull-up level).</summary>
    public bool Dead { get; set; }

    public override SpiConnectionSettings ConnectionSettings { get; } = new(0, 0) { ClockFrequency = 4_000_000, Mode = SpiMode.Mode0 };

    /// <summary>The command bytes in order.</summary>
    public IEnumerable<byte> Commands => Bytes.Where(b => !b.IsData).Select(b => b.Value);

    /// <summary>A panel that is idle at power-on (BUSY low), unless it is dead.</summary>
    public void PowerOn()
    {
        if (!Dead)
        {
            gpio.SetInput(busyPin, PinValue.Low);
        }
    }

    public override void Read(Span<byte> buffer) => buffer.Clear();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var isData = gpio.LevelOf(dcPin) == PinValue.High;
        foreach (var value in buffer)
        {
            Bytes.Add((value, isData));
            if (!isData && value is 0x20 or 0x12)
            {
                StartBusy();
            }
        }
    }

    public override void TransferFullDuplex(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        readBuffer.Clear();
    }

    protected override void Dispose(bool disposing)
    {
        foreach (var timer in _timers)
        {
            timer.Dispose();
        }
        base.Dispose(disposing);
    }

    private void StartBusy()
    {
        gpio.SetInput(busyPin, PinValue.High);
        if (!Dead)
        {
            _timers.Add(time.CreateTimer(_ => gpio.SetInput(busyPin, PinValue.Low), null, BusyFor, Timeout.InfiniteTimeSpan));
        }
    }
}
