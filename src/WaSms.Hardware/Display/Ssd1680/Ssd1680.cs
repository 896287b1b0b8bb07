using System.Device.Gpio;
using System.Device.Spi;
using WaSms.Hardware.Imaging;

namespace WaSms.Hardware.Display.Ssd1680;

/// <summary>
/// SSD1680 / SSD1681 e-paper controller on SPI with D/C, RST and BUSY lines (BUSY high = busy).
/// Call <see cref="TryInitializeAsync"/> once; a panel whose BUSY never goes low reports
/// <see cref="IsPresent"/> false. RAM holds 1 = white. Sequences and sources: README.md.
/// </summary>
public sealed class Ssd1680 : IDisplay, IDisposable
{
    /// <summary>Largest single SPI write (the Linux spidev default buffer is 4096 bytes).</summary>
    private const int MaxSpiChunk = 4096;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);

    private readonly SpiDevice _spi;
    private readonly GpioController _gpio;
    private readonly int _dcPin;
    private readonly int _resetPin;
    private readonly int _busyPin;
    private readonly bool _shouldDispose;
    private readonly TimeProvider _time;
    private readonly byte[] _ram;
    private bool _disposed;

    /// <param name="spi">The SPI device (mode 0, up to 20 MHz); disposed with the driver.</param>
    /// <param name="dcPin">Data/command GPIO: low = command, high = data.</param>
    /// <param name="resetPin">Reset GPIO, active low.</param>
    /// <param name="busyPin">BUSY GPIO, high while the controller works; read with a pull-up so an absent panel reads busy.</param>
    /// <param name="geometry">The panel.</param>
    /// <param name="gpio">The GPIO controller; a new one when null.</param>
    /// <param name="shouldDispose">True to dispose <paramref name="gpio"/> with the driver (else only its pins are closed).</param>
    /// <param name="time">Clock for delays and the BUSY timeout.</param>
    public Ssd1680(SpiDevice spi, int dcPin, int resetPin, int busyPin, PanelGeometry geometry,
        GpioController? gpio = null, bool shouldDispose = true, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(spi);
        ArgumentNullException.ThrowIfNull(geometry);
        _spi = spi;
        _dcPin = dcPin;
        _resetPin = resetPin;
        _busyPin = busyPin;
        Geometry = geometry;
        _shouldDispose = shouldDispose || gpio is null;
        _gpio = gpio ?? new GpioController();
        _time = time ?? TimeProvider.System;
        _ram = new byte[geometry.BytesPerLine * geometry.GateLines];
        _gpio.OpenPin(_dcPin, PinMode.Output);
        _gpio.OpenPin(_resetPin, PinMode.Output);
        _gpio.Write(_resetPin, PinValue.High);
        _gpio.OpenPin(_busyPin, _gpio.IsPinModeSupported(_busyPin, PinMode.InputPullUp) ? PinMode.InputPullUp : PinMode.Input);
    }

    public PanelGeometry Geometry { get; }

    /// <summary>How long init (hardware reset, software reset, waveform load) may keep BUSY high.</summary>
    public TimeSpan InitTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a refresh may keep BUSY high (a full refresh takes about 2-4 s, longer when cold).</summary>
    public TimeSpan RefreshTimeout { get; init; } = TimeSpan.FromSeconds(15);

    public string Description => IsPresent ? Geometry.Name : $"{Geometry.Name} (not answering: {FailureReason})";

    public int Width => Geometry.Width;

    public int Height => Geometry.Height;

    /// <summary>True once init finished with BUSY low; false before, and after a BUSY timeout.</summary>
    public bool IsPresent { get; private set; }

    /// <summary>Why the panel is not present (for the caller to log once), or null.</summary>
    public string? FailureReason { get; private set; }

    /// <summary>
    /// Hardware reset and init. Returns false (and sets <see cref="FailureReason"/>) when BUSY does
    /// not go low in time: the panel is missing or dead. Logs nothing; the caller logs once.
    /// </summary>
    public async Task<bool> TryInitializeAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            await InitializeAsync(cancellationToken);
            IsPresent = true;
            FailureReason = null;
        }
        catch (DisplayTimeoutException ex)
        {
            IsPresent = false;
            FailureReason = ex.Message;
        }
        return IsPresent;
    }

    /// <summary>
    /// Full refresh: both RAMs get the frame, then update sequence 0xF7. Partial: a short reset,
    /// RAM 0x24 gets the frame, update sequence 0xFF, then RAM 0x26 gets the same frame so the
    /// next partial refresh compares against what is shown.
    /// </summary>
    /// <exception cref="DisplayTimeoutException">BUSY stayed high; <see cref="IsPresent"/> turns false.</exception>
    public async Task RefreshAsync(MonoFrame frame, bool full, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (frame.Width != Width || frame.Height != Height)
        {
            throw new ArgumentException($"frame is {frame.Width}x{frame.Height}, panel is {Width}x{Height}", nameof(frame));
        }
        try
        {
            if (!IsPresent)
            {
                // A panel that failed before gets a fresh init; it may have been plugged in since.
                await InitializeAsync(cancellationToken);
                IsPresent = true;
                FailureReason = null;
            }
            Pack(frame);
            if (full)
            {
                await FullRefreshAsync(cancellationToken);
            }
            else
            {
                await PartialRefreshAsync(cancellationToken);
            }
        }
        catch (DisplayTimeoutException ex)
        {
            IsPresent = false;
            FailureReason = ex.Message;
            throw;
        }
    }

    /// <summary>Puts the controller into deep sleep (RAM kept); the next refresh needs init again.</summary>
    public void Sleep()
    {
        SendCommand(Ssd1680Command.DeepSleepMode, 0x01);
        IsPresent = false;
        FailureReason = "asleep";
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (_shouldDispose)
        {
            _gpio.Dispose();
        }
        else
        {
            foreach (var pin in new[] { _dcPin, _resetPin, _busyPin })
            {
                if (_gpio.IsPinOpen(pin))
                {
                    _gpio.ClosePin(pin);
                }
            }
        }
        _spi.Dispose();
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await HardwareResetAsync(cancellationToken);
        await WaitWhileBusyAsync("hardware reset", InitTimeout, cancellationToken);
        SendCommand(Ssd1680Command.SwReset);
        await WaitWhileBusyAsync("software reset", InitTimeout, cancellationToken);
        SendDriverOutputAndWindow();
        SendCommand(Ssd1680Command.BorderWaveformControl, Geometry.BorderWaveform);
        if (Geometry.UpdateControl1.Count > 0)
        {
            SendCommand(Ssd1680Command.DisplayUpdateControl1, [.. Geometry.UpdateControl1]);
        }
        SendCommand(Ssd1680Command.TemperatureSensorControl, 0x80);
        if (Geometry.LoadWaveformAtInit)
        {
            SendCommand(Ssd1680Command.DisplayUpdateControl2, 0xB1);
            SendCommand(Ssd1680Command.MasterActivation);
        }
        await WaitWhileBusyAsync("init", InitTimeout, cancellationToken);
    }

    private async Task FullRefreshAsync(CancellationToken cancellationToken)
    {
        SendCommand(Ssd1680Command.BorderWaveformControl, Geometry.BorderWaveform);
        SetCounters();
        SendCommand(Ssd1680Command.WriteRamBlackWhite, _ram);
        SetCounters();
        SendCommand(Ssd1680Command.WriteRamRed, _ram);
        SendCommand(Ssd1680Command.DisplayUpdateControl2, Geometry.FullUpdate);
        SendCommand(Ssd1680Command.MasterActivation);
        await WaitWhileBusyAsync("full refresh", RefreshTimeout, cancellationToken);
    }

    private async Task PartialRefreshAsync(CancellationToken cancellationToken)
    {
        // Waveshare's partial sequence pulses RST (1 ms) and sets the registers again; RAM is kept.
        _gpio.Write(_resetPin, PinValue.Low);
        await Task.Delay(TimeSpan.FromMilliseconds(1), _time, cancellationToken);
        _gpio.Write(_resetPin, PinValue.High);
        SendCommand(Ssd1680Command.BorderWaveformControl, Geometry.PartialBorderWaveform);
        SendDriverOutputAndWindow();
        SendCommand(Ssd1680Command.WriteRamBlackWhite, _ram);
        SendCommand(Ssd1680Command.DisplayUpdateControl2, Geometry.PartialUpdate);
        SendCommand(Ssd1680Command.MasterActivation);
        await WaitWhileBusyAsync("partial refresh", RefreshTimeout, cancellationToken);
        SetCounters();
        SendCommand(Ssd1680Command.WriteRamRed, _ram);
    }

    private async Task HardwareResetAsync(CancellationToken cancellationToken)
    {
        // RST high 20 ms, low 2 ms, high 20 ms (Waveshare epd2in13_V4).
        _gpio.Write(_resetPin, PinValue.High);
        await Task.Delay(TimeSpan.FromMilliseconds(20), _time, cancellationToken);
        _gpio.Write(_resetPin, PinValue.Low);
        await Task.Delay(TimeSpan.FromMilliseconds(2), _time, cancellationToken);
        _gpio.Write(_resetPin, PinValue.High);
        await Task.Delay(TimeSpan.FromMilliseconds(20), _time, cancellationToken);
    }

    private void SendDriverOutputAndWindow()
    {
        var mux = Geometry.GateLines - 1;
        SendCommand(Ssd1680Command.DriverOutputControl, (byte)(mux & 0xFF), (byte)(mux >> 8), Geometry.GateScan);
        SendCommand(Ssd1680Command.DataEntryModeSetting, Geometry.DataEntryMode);
        var (xStart, xEnd, yStart, yEnd) = Window();
        SendCommand(Ssd1680Command.SetRamXAddressStartEnd, (byte)xStart, (byte)xEnd);
        SendCommand(Ssd1680Command.SetRamYAddressStartEnd, (byte)(yStart & 0xFF), (byte)(yStart >> 8), (byte)(yEnd & 0xFF), (byte)(yEnd >> 8));
        SetCounters();
    }

    /// <summary>The RAM window in the order the counters run (start = first address written).</summary>
    private (int XStart, int XEnd, int YStart, int YEnd) Window()
    {
        var lastByte = Geometry.BytesPerLine - 1;
        var lastLine = Geometry.GateLines - 1;
        var xIncrements = (Geometry.DataEntryMode & 0x01) != 0;
        var yIncrements = (Geometry.DataEntryMode & 0x02) != 0;
        return (xIncrements ? 0 : lastByte, xIncrements ? lastByte : 0, yIncrements ? 0 : lastLine, yIncrements ? lastLine : 0);
    }

    private void SetCounters()
    {
        var (xStart, _, yStart, _) = Window();
        SendCommand(Ssd1680Command.SetRamXAddressCounter, (byte)xStart);
        SendCommand(Ssd1680Command.SetRamYAddressCounter, (byte)(yStart & 0xFF), (byte)(yStart >> 8));
    }

    /// <summary>Packs the frame into RAM write order: line by line, MSB = first source pixel, 1 = white.</summary>
    private void Pack(MonoFrame frame)
    {
        var bytesPerLine = Geometry.BytesPerLine;
        for (var line = 0; line < Geometry.GateLines; line++)
        {
            for (var b = 0; b < bytesPerLine; b++)
            {
                var value = 0xFF;
                for (var bit = 0; bit < 8; bit++)
                {
                    var source = b * 8 + bit;
                    if (source >= Geometry.SourcePixels)
                    {
                        continue;
                    }
                    var (x, y) = Geometry.FramePixelAt(line, source);
                    if (frame[x, y])
                    {
                        value &= ~(0x80 >> bit);
                    }
                }
                _ram[line * bytesPerLine + b] = (byte)value;
            }
        }
    }

    private async Task WaitWhileBusyAsync(string step, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (_gpio.Read(_busyPin) == PinValue.High)
        {
            if (_time.GetElapsedTime(started) >= timeout)
            {
                throw new DisplayTimeoutException(step, timeout);
            }
            await Task.Delay(PollInterval, _time, cancellationToken);
        }
    }

    private void SendCommand(Ssd1680Command command, params ReadOnlySpan<byte> data)
    {
        _gpio.Write(_dcPin, PinValue.Low);
        _spi.WriteByte((byte)command);
        if (data.IsEmpty)
        {
            return;
        }
        _gpio.Write(_dcPin, PinValue.High);
        for (var offset = 0; offset < data.Length; offset += MaxSpiChunk)
        {
            _spi.Write(data.Slice(offset, Math.Min(MaxSpiChunk, data.Length - offset)));
        }
    }
}
