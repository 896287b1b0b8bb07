using System.Globalization;

namespace WaSms.Hardware.Imaging;

/// <summary>
/// A bitmap font in Adobe's BDF format, parsed by us (Iot.Device.Graphics.BdfFont only loads from a
/// path and brings Iot.Device.Bindings along). The fonts we ship are embedded in this assembly.
/// </summary>
public sealed class BdfFont
{
    private readonly Dictionary<int, Glyph> _glyphs;
    private readonly Glyph _fallback;

    private BdfFont(string name, int ascent, int descent, Dictionary<int, Glyph> glyphs)
    {
        Name = name;
        Ascent = ascent;
        Descent = descent;
        _glyphs = glyphs;
        _fallback = glyphs.GetValueOrDefault('?') ?? glyphs.Values.First();
    }

    public string Name { get; }

    public int Ascent { get; }

    public int Descent { get; }

    public int LineHeight => Ascent + Descent;

    /// <summary>misc-fixed 6×13, the body text.</summary>
    public static BdfFont Small { get; } = LoadEmbedded("6x13");

    /// <summary>misc-fixed 6×13 bold, for headings on small panels.</summary>
    public static BdfFont SmallBold { get; } = LoadEmbedded("6x13B");

    /// <summary>misc-fixed 10×20, for titles.</summary>
    public static BdfFont Large { get; } = LoadEmbedded("10x20");

    public static BdfFont LoadEmbedded(string name)
    {
        using var stream = typeof(BdfFont).Assembly.GetManifestResourceStream($"Fonts/{name}.bdf")
            ?? throw new FileNotFoundException($"Font {name} is not embedded");
        using var reader = new StreamReader(stream);
        return Parse(name, reader);
    }

    /// <exception cref="FormatException">The text is not a BDF font we can read.</exception>
    public static BdfFont Parse(string name, TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var glyphs = new Dictionary<int, Glyph>();
        int ascent = 0, descent = 0, encoding = -1, advance = 0;
        int[] box = [0, 0, 0, 0];
        List<uint>? rows = null;
        string? line;
        var lineNumber = 0;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
            {
                continue;
            }
            try
            {
                switch (parts[0])
                {
                    case "FONT_ASCENT": ascent = int.Parse(parts[1], CultureInfo.InvariantCulture); break;
                    case "FONT_DESCENT": descent = int.Parse(parts[1], CultureInfo.InvariantCulture); break;
                    case "ENCODING": encoding = int.Parse(parts[1], CultureInfo.InvariantCulture); break;
                    case "DWIDTH": advance = int.Parse(parts[1], CultureInfo.InvariantCulture); break;
                    case "BBX": box = parts[1..5].Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray(); break;
                    case "BITMAP": rows = []; break;
                    case "ENDCHAR":
                        if (rows is null)
                        {
                            throw new FormatException("ENDCHAR without BITMAP");
                        }
                        glyphs[encoding] = new Glyph(advance, box[0], box[1], box[2], box[3], [.. rows]);
                        rows = null;
                        break;
                    default:
                        if (rows is not null)
                        {
                            // Left-aligned: the most significant bit of the first byte is the leftmost pixel.
                            var value = uint.Parse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                            rows.Add(value << (32 - parts[0].Length * 4));
                        }
                        break;
                }
            }
            catch (Exception ex) when (ex is FormatException or IndexOutOfRangeException or OverflowException or ArgumentException)
            {
                throw new FormatException($"Font {name}, line {lineNumber}: cannot read \"{line}\"", ex);
            }
        }
        if (glyphs.Count == 0 || ascent + descent <= 0)
        {
            throw new FormatException($"Font {name} has no glyphs or no ascent/descent");
        }
        return new BdfFont(name, ascent, descent, glyphs);
    }

    public int MeasureWidth(string text) => text.Sum(c => GlyphFor(c).Advance);

    /// <summary>Draws <paramref name="text"/> with its top-left corner at (x, y); returns the width drawn.</summary>
    public int Draw(MonoFrame frame, int x, int y, string text, bool dark = true) => Draw(frame, x, y, text, dark, scale: 1);

    /// <summary>Draws <paramref name="text"/> with every font pixel as a <paramref name="scale"/> × <paramref name="scale"/> block.</summary>
    public int Draw(MonoFrame frame, int x, int y, string text, bool dark, int scale)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(scale);
        ArgumentNullException.ThrowIfNull(frame);
        var pen = 0;
        foreach (var c in text)
        {
            var g = GlyphFor(c);
            var top = Ascent - g.OffsetY - g.Height;
            for (var row = 0; row < g.Rows.Length; row++)
            {
                var bits = g.Rows[row];
                for (var col = 0; col < g.Width; col++)
                {
                    if ((bits & (0x80000000u >> col)) == 0)
                    {
                        continue;
                    }
                    for (var dy = 0; dy < scale; dy++)
                    {
                        for (var dx = 0; dx < scale; dx++)
                        {
                            frame[x + (pen + g.OffsetX + col) * scale + dx, y + (top + row) * scale + dy] = dark;
                        }
                    }
                }
            }
            pen += g.Advance;
        }
        return pen * scale;
    }

    /// <summary>
    /// <paramref name="text"/> cut to <paramref name="maxWidth"/> pixels, ending in "…" when it
    /// had to be cut (empty when not even the ellipsis fits).
    /// </summary>
    public string Ellipsize(string text, int maxWidth)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (MeasureWidth(text) <= maxWidth)
        {
            return text;
        }
        const string Ellipsis = "\u2026";
        for (var length = text.Length - 1; length > 0; length--)
        {
            var candidate = text[..length].TrimEnd() + Ellipsis;
            if (MeasureWidth(candidate) <= maxWidth)
            {
                return candidate;
            }
        }
        return MeasureWidth(Ellipsis) <= maxWidth ? Ellipsis : "";
    }

    /// <summary>Splits <paramref name="text"/> into lines no wider than <paramref name="maxWidth"/> pixels.</summary>
    public IReadOnlyList<string> Wrap(string text, int maxWidth)
    {
        var lines = new List<string>();
        foreach (var paragraph in text.Split('\n'))
        {
            var current = "";
            foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = current.Length == 0 ? word : current + " " + word;
                if (MeasureWidth(candidate) <= maxWidth)
                {
                    current = candidate;
                    continue;
                }
                if (current.Length > 0)
                {
                    lines.Add(current);
                }
                current = word;
                while (MeasureWidth(current) > maxWidth && current.Length > 1)
                {
                    var fit = current.Length - 1;
                    while (fit > 1 && MeasureWidth(current[..fit]) > maxWidth)
                    {
                        fit--;
                    }
                    lines.Add(current[..fit]);
                    current = current[fit..];
                }
            }
            lines.Add(current);
        }
        return lines;
    }

    private Glyph GlyphFor(char c) => _glyphs.GetValueOrDefault(c) ?? _fallback;

    private sealed record Glyph(int Advance, int Width, int Height, int OffsetX, int OffsetY, uint[] Rows);
}
