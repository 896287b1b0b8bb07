namespace WaSms.Hardware.Imaging;

/// <summary>A 1-bit framebuffer at panel resolution; <c>true</c> is a dark (black) pixel.</summary>
public sealed class MonoFrame
{
    private readonly bool[] _pixels;

    public MonoFrame(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        Width = width;
        Height = height;
        _pixels = new bool[width * height];
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>
    /// Dark pixels written outside the frame and clipped: text and icons that ran off the panel.
    /// Screens are laid out so that this stays 0; tests check it.
    /// </summary>
    public int ClippedPixels { get; private set; }

    /// <summary>Reads or writes a pixel; writes outside the frame are clipped (and counted), reads return white.</summary>
    public bool this[int x, int y]
    {
        get => x >= 0 && y >= 0 && x < Width && y < Height && _pixels[y * Width + x];
        set
        {
            if (x >= 0 && y >= 0 && x < Width && y < Height)
            {
                _pixels[y * Width + x] = value;
            }
            else if (value)
            {
                ClippedPixels++;
            }
        }
    }

    public void Clear() => Array.Clear(_pixels);

    public void FillRectangle(int x, int y, int width, int height, bool dark = true)
    {
        for (var row = Math.Max(0, y); row < Math.Min(Height, y + height); row++)
        {
            for (var col = Math.Max(0, x); col < Math.Min(Width, x + width); col++)
            {
                _pixels[row * Width + col] = dark;
            }
        }
    }

    public void DrawRectangle(int x, int y, int width, int height)
    {
        FillRectangle(x, y, width, 1);
        FillRectangle(x, y + height - 1, width, 1);
        FillRectangle(x, y, 1, height);
        FillRectangle(x + width - 1, y, 1, height);
    }

    /// <summary>True when both frames have the same size and pixels.</summary>
    public bool SameAs(MonoFrame other) =>
        other is not null && other.Width == Width && other.Height == Height && other._pixels.AsSpan().SequenceEqual(_pixels);
}
