using QRCoder;

namespace WaSms.Hardware.Imaging;

/// <summary>The module matrix of a QR code, without quiet zone; <c>true</c> is a dark module.</summary>
public sealed class QrMatrix
{
    private readonly bool[,] _modules;

    private QrMatrix(bool[,] modules) => _modules = modules;

    public int Size => _modules.GetLength(0);

    public bool this[int x, int y] => _modules[y, x];

    /// <summary>Encodes <paramref name="text"/> with error correction L, which keeps WhatsApp's long QR strings at 2 px per module on 122-px panels (docs/hardware).</summary>
    public static QrMatrix Encode(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.L);
        const int QuietZone = 4; // QRCoder includes the spec's 4-module quiet zone in ModuleMatrix
        var size = data.ModuleMatrix.Count - 2 * QuietZone;
        var modules = new bool[size, size];
        for (var y = 0; y < size; y++)
        {
            var row = data.ModuleMatrix[y + QuietZone];
            for (var x = 0; x < size; x++)
            {
                modules[y, x] = row[x + QuietZone];
            }
        }
        return new QrMatrix(modules);
    }

    /// <summary>
    /// Draws the code into the square (x, y, box) at the largest whole-pixel module size that
    /// leaves a quiet zone of at least <paramref name="minQuietModules"/> modules; returns the module size (0 when it does not fit).
    /// </summary>
    public int Draw(MonoFrame frame, int x, int y, int box, int minQuietModules = 2)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var scale = box / (Size + 2 * minQuietModules);
        if (scale < 1)
        {
            return 0;
        }
        frame.FillRectangle(x, y, box, box, dark: false);
        var offset = (box - Size * scale) / 2;
        for (var my = 0; my < Size; my++)
        {
            for (var mx = 0; mx < Size; mx++)
            {
                if (this[mx, my])
                {
                    frame.FillRectangle(x + offset + mx * scale, y + offset + my * scale, scale, scale);
                }
            }
        }
        return scale;
    }

    /// <summary>The code as terminal text: two module rows per line with half-block characters, dark on a light quiet zone.</summary>
    public string ToTerminalText(int quietModules = 2)
    {
        var full = Size + 2 * quietModules;
        bool Dark(int mx, int my) => mx >= quietModules && my >= quietModules && mx < Size + quietModules &&
                                     my < Size + quietModules && this[mx - quietModules, my - quietModules];
        var text = new System.Text.StringBuilder();
        for (var my = 0; my < full; my += 2)
        {
            for (var mx = 0; mx < full; mx++)
            {
                // Light modules are drawn as ink so the code reads on a dark terminal background.
                var top = !Dark(mx, my);
                var bottom = my + 1 < full && !Dark(mx, my + 1);
                text.Append((top, bottom) switch
                {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    _ => ' ',
                });
            }
            text.Append('\n');
        }
        return text.ToString();
    }
}
