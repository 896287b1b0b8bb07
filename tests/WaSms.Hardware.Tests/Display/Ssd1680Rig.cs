using System.Device.Gpio;
using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using WaSms.Hardware.Display.Ssd1680;
using WaSms.Hardware.Imaging;
using WaSms.Hardware.Tests.Fakes;

namespace WaSms.Hardware.Tests.Display;

/// <summary>A panel on a fake bus with a fake clock; <see cref="Drive{T}"/> runs the clock until a call finishes.</summary>
internal sealed class Ssd1680Rig : IDisposable
{
    public const int DcPin = 25;
    public const int ResetPin = 17;
    public const int BusyPin = 24;

    public Ssd1680Rig(PanelGeometry geometry, bool dead = false)
    {
        Geometry = geometry;
        Controller = new GpioController(Gpio);
        Spi = new RecordingSpiDevice(Gpio, DcPin, BusyPin, Time) { Dead = dead };
        Spi.PowerOn();
        Panel = new Ssd1680(Spi, DcPin, ResetPin, BusyPin, geometry, Controller, shouldDispose: true, Time)
        {
            InitTimeout = TimeSpan.FromMilliseconds(200),
            RefreshTimeout = TimeSpan.FromMilliseconds(500),
        };
    }

    public PanelGeometry Geometry { get; }

    public FakeGpioDriver Gpio { get; } = new();

    public GpioController Controller { get; }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UnixEpoch);

    public RecordingSpiDevice Spi { get; }

    public Ssd1680 Panel { get; }

    public Ssd1680RamEmulator Replay()
    {
        var emulator = new Ssd1680RamEmulator();
        emulator.Replay(Spi.Bytes);
        return emulator;
    }

    /// <summary>
    /// What the glass shows after replaying every byte sent, in frame coordinates: as is for portrait
    /// panels; landscape panels show frame column x on gate line (lines - 1 - x).
    /// </summary>
    public MonoFrame Shown()
    {
        var glass = Replay().Panel(Geometry.SourcePixels);
        var frame = new MonoFrame(Geometry.Width, Geometry.Height);
        for (var y = 0; y < frame.Height; y++)
        {
            for (var x = 0; x < frame.Width; x++)
            {
                frame[x, y] = Geometry.Landscape ? glass[y, Geometry.GateLines - 1 - x] : glass[x, y];
            }
        }
        return frame;
    }

    public async Task Drive(Task task) => await Drive(ToBool(task));

    public async Task<T> Drive<T>(Task<T> task)
    {
        var watch = Stopwatch.StartNew();
        while (!task.IsCompleted)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "the driver did not finish");
            Time.Advance(TimeSpan.FromMilliseconds(1));
            await Task.Delay(TimeSpan.FromMilliseconds(0.1), TimeProvider.System);
        }
        return await task;
    }

    public void Dispose() => Panel.Dispose();

    private static async Task<bool> ToBool(Task task)
    {
        await task;
        return true;
    }
}
