using System.Runtime.InteropServices;

namespace WaSms.Hardware.Pi;

/// <summary>
/// The Pi's button line, requested from libgpiod 1.x (Debian bookworm's libgpiod2) as an edge-event
/// line <b>with the pull-up in the same request</b>. System.Device.Gpio 4.2's libgpiod v1 driver releases
/// the input line and re-requests it for edge events without any bias flag, so the kernel reported
/// the button line as bias-less (issue #14): a floating input on a board whose pull-up is not left
/// set produces random edges, i.e. random relinks. libgpiod API: gpiod.h of libgpiod v1.6
/// (https://git.kernel.org/pub/scm/libs/libgpiod/libgpiod.git/tree/include/gpiod.h?h=v1.6.x):
/// <c>gpiod_line_request_both_edges_events_flags</c>, <c>GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP = BIT(5)</c>.
/// </summary>
public sealed partial class LibgpiodButtonLine : IButtonLine
{
    private const string Library = "libgpiod.so.2";
    private const int BiasPullUp = 1 << 5;
    private const string Consumer = "wasms-gateway button";

    private readonly nint _chip;
    private readonly nint _line;
    private readonly int _pin;
    private Thread? _reader;
    private volatile bool _disposed;

    /// <param name="chip">GPIO chip number (0: the SoC's GPIO on a Pi; line offsets are BCM numbers).</param>
    /// <param name="pin">Line offset.</param>
    /// <exception cref="IOException">The chip or line cannot be opened or requested.</exception>
    public LibgpiodButtonLine(uint chip, int pin)
    {
        _pin = pin;
        _chip = OpenChip(chip);
        if (_chip == 0)
        {
            throw new IOException($"cannot open /dev/gpiochip{chip}: {Marshal.GetLastPInvokeErrorMessage()}");
        }
        _line = GetLine(_chip, (uint)pin);
        if (_line == 0 || RequestBothEdges(_line, Consumer, BiasPullUp) != 0)
        {
            var error = Marshal.GetLastPInvokeErrorMessage();
            CloseChip(_chip);
            throw new IOException($"cannot request GPIO {pin} for button edges with the pull-up: {error}");
        }
    }

    public bool IsLow
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var value = GetValue(_line);
            return value < 0
                ? throw new IOException($"cannot read GPIO {_pin}: {Marshal.GetLastPInvokeErrorMessage()}")
                : value == 0;
        }
    }

    public void Start(Action onEdge)
    {
        ArgumentNullException.ThrowIfNull(onEdge);
        _reader = new Thread(() => ReadEdges(onEdge)) { IsBackground = true, Name = "button edges" };
        _reader.Start();
    }

    /// <summary>Waits for edges in short slices so that <see cref="Dispose"/> never waits long.</summary>
    private void ReadEdges(Action onEdge)
    {
        var slice = new TimeSpec { Seconds = 0, Nanoseconds = 200_000_000 };
        while (!_disposed)
        {
            var ready = WaitEvent(_line, ref slice);
            if (ready < 0)
            {
                // The line went away (unbound driver): nothing more will come; the level read reports it.
                return;
            }
            if (ready > 0 && !_disposed)
            {
                var edge = default(LineEvent);
                if (ReadEvent(_line, ref edge) == 0)
                {
                    onEdge();
                }
            }
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _reader?.Join(TimeSpan.FromSeconds(2));
        ReleaseLine(_line);
        CloseChip(_chip);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public nint Seconds;
        public nint Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct LineEvent
    {
        public TimeSpec Timestamp;
        public int Type;
    }

    [LibraryImport(Library, EntryPoint = "gpiod_chip_open_by_number", SetLastError = true)]
    private static partial nint OpenChip(uint number);

    [LibraryImport(Library, EntryPoint = "gpiod_chip_get_line", SetLastError = true)]
    private static partial nint GetLine(nint chip, uint offset);

    [LibraryImport(Library, EntryPoint = "gpiod_line_request_both_edges_events_flags", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RequestBothEdges(nint line, string consumer, int flags);

    [LibraryImport(Library, EntryPoint = "gpiod_line_event_wait", SetLastError = true)]
    private static partial int WaitEvent(nint line, ref TimeSpec timeout);

    [LibraryImport(Library, EntryPoint = "gpiod_line_event_read", SetLastError = true)]
    private static partial int ReadEvent(nint line, ref LineEvent lineEvent);

    [LibraryImport(Library, EntryPoint = "gpiod_line_get_value", SetLastError = true)]
    private static partial int GetValue(nint line);

    [LibraryImport(Library, EntryPoint = "gpiod_line_release")]
    private static partial void ReleaseLine(nint line);

    [LibraryImport(Library, EntryPoint = "gpiod_chip_close")]
    private static partial void CloseChip(nint chip);
}
