namespace WaSms.Hardware.Tests.Display;

/// <summary>
/// Replays a recorded SSD1680/SSD1681 command stream the way the controller would: driver
/// output (MUX, TB), data entry mode, RAM windows and counters, writes to RAM 0x24 and 0x26.
/// <see cref="Panel"/> is what the glass shows: source pixels across, gate lines down.
/// Written from the datasheet's register descriptions, independently of the driver.
/// </summary>
public sealed class Ssd1680RamEmulator
{
    private const int RamBytesPerLine = 32;
    private const int RamLines = 300;

    private readonly byte[,] _bw = new byte[RamLines, RamBytesPerLine];
    private readonly byte[,] _red = new byte[RamLines, RamBytesPerLine];
    private int _mux = RamLines - 1;
    private bool _topToBottomReversed;
    private int _entryMode = 0x03;
    private int _xStart;
    private int _xEnd = RamBytesPerLine - 1;
    private int _yStart;
    private int _yEnd = RamLines - 1;
    private int _x;
    private int _y;

    /// <summary>Update sequences (0x22 data) that master activation (0x20) ran, in order.</summary>
    public List<byte> Activations { get; } = [];

    public void Replay(IEnumerable<(byte Value, bool IsData)> bytes)
    {
        byte? command = null;
        var args = new List<byte>();
        byte pendingUpdate = 0;
        foreach (var (value, isData) in bytes)
        {
            if (!isData)
            {
                command = value;
                args.Clear();
                if (value == 0x20)
                {
                    Activations.Add(pendingUpdate);
                }
                continue;
            }
            args.Add(value);
            switch (command)
            {
                case 0x01 when args.Count == 3:
                    _mux = args[0] | ((args[1] & 0x01) << 8);
                    _topToBottomReversed = (args[2] & 0x01) != 0;
                    break;
                case 0x11:
                    _entryMode = value & 0x07;
                    break;
                case 0x22:
                    pendingUpdate = value;
                    break;
                case 0x44 when args.Count == 2:
                    (_xStart, _xEnd) = (args[0] & 0x3F, args[1] & 0x3F);
                    break;
                case 0x45 when args.Count == 4:
                    (_yStart, _yEnd) = (args[0] | ((args[1] & 0x01) << 8), args[2] | ((args[3] & 0x01) << 8));
                    break;
                case 0x4E:
                    _x = value & 0x3F;
                    break;
                case 0x4F when args.Count == 2:
                    _y = args[0] | ((args[1] & 0x01) << 8);
                    break;
                case 0x24:
                    Store(_bw, value);
                    break;
                case 0x26:
                    Store(_red, value);
                    break;
            }
        }
    }

    /// <summary>The image RAM 0x24 puts on the glass: dark where a bit is 0.</summary>
    public bool[,] Panel(int sourcePixels) => Image(_bw, sourcePixels);

    /// <summary>The same for RAM 0x26 (the base of the next partial refresh).</summary>
    public bool[,] PanelRed(int sourcePixels) => Image(_red, sourcePixels);

    private bool[,] Image(byte[,] ram, int sourcePixels)
    {
        var lines = _mux + 1;
        var image = new bool[sourcePixels, lines];
        for (var gate = 0; gate < lines; gate++)
        {
            // TB = 1 scans from the last gate: RAM line MUX is the top row of the glass.
            var line = _topToBottomReversed ? _mux - gate : gate;
            for (var source = 0; source < sourcePixels; source++)
            {
                image[source, gate] = (ram[line, source / 8] & (0x80 >> (source % 8))) == 0;
            }
        }
        return image;
    }

    private void Store(byte[,] ram, byte value)
    {
        ram[_y, _x] = value;
        var xStep = (_entryMode & 0x01) != 0 ? 1 : -1;
        var yStep = (_entryMode & 0x02) != 0 ? 1 : -1;
        if ((_entryMode & 0x04) == 0)
        {
            // AM = 0: along X; at the window end X wraps to its start and Y steps.
            if (_x == _xEnd)
            {
                _x = _xStart;
                _y = _y == _yEnd ? _yStart : _y + yStep;
            }
            else
            {
                _x += xStep;
            }
        }
        else if (_y == _yEnd)
        {
            _y = _yStart;
            _x = _x == _xEnd ? _xStart : _x + xStep;
        }
        else
        {
            _y += yStep;
        }
    }
}
