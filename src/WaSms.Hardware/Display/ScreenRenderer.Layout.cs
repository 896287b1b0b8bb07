using WaSms.Hardware.Imaging;

namespace WaSms.Hardware.Display;

/// <summary>The layout every screen shares: margins, fonts, the header bar, the message layout, text wrapped to its box.</summary>
public static partial class ScreenRenderer
{
    private const int Margin = 3;
    private const int HeaderHeight = 17;
    private const int BigIconScale = 2;

    private static BdfFont Body => BdfFont.Small;

    private static BdfFont Bold => BdfFont.SmallBold;

    private static BdfFont Large => BdfFont.Large;

    /// <summary>
    /// A dark line across the bottom from <paramref name="left"/> (right of a landscape QR, never over
    /// it or its quiet zone): a hardware fault shown on whatever screen is up.
    /// </summary>
    private static void DrawHint(MonoFrame frame, int left, string text, string shortText)
    {
        var height = Bold.LineHeight + 1;
        var width = frame.Width - left - 2 * Margin;
        var shown = Bold.MeasureWidth(text) <= width ? text : Bold.Ellipsize(shortText, width);
        frame.FillRectangle(left, frame.Height - height, frame.Width - left, height, dark: false);
        frame.FillRectangle(left, frame.Height - height + 1, frame.Width - left, height - 1);
        Bold.Draw(frame, left + Margin, frame.Height - height + 1, shown, dark: false);
    }

    /// <summary>
    /// The common layout: a dark header with icon and title, the icon again at double size beside a
    /// large headline, body text below, and an optional bold footer on the bottom line(s). <paramref name="aside"/>
    /// (e.g. an update offer) goes right-aligned into the header, so it never displaces a line or the footer.
    /// </summary>
    private static void Message(MonoFrame frame, Icon icon, string title, string headline, IEnumerable<string?> paragraphs, string? footer,
        int reserveBottom = 0, IReadOnlyList<string>? aside = null)
    {
        Header(frame, 0, icon, title, aside);
        var width = frame.Width - 2 * Margin;
        var y = HeaderHeight + 3;
        var iconSize = icon.Height * BigIconScale;
        icon.Draw(frame, Margin, y, BigIconScale);
        var headX = Margin + icon.Width * BigIconScale + 6;
        var headLines = FitLines(Large, [headline], frame.Width - headX - Margin, 2);
        DrawLines(frame, Large, headX, y, headLines);
        y += Math.Max(iconSize, headLines.Count * Large.LineHeight) + 3;

        var bottom = frame.Height - 1 - reserveBottom;
        var footerLines = footer is null ? [] : FitLines(Bold, [footer], width, 2);
        var footerTop = bottom - footerLines.Count * Bold.LineHeight;
        DrawLines(frame, Bold, Margin, footerTop, footerLines);
        var maxLines = (footerTop - y) / Body.LineHeight;
        var lines = FitLines(Body, paragraphs.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p!), width, maxLines);
        DrawLines(frame, Body, Margin, y, lines);
    }

    /// <summary>
    /// The dark title bar from <paramref name="left"/> to the right edge. The title comes first; <paramref name="aside"/>
    /// (longest first, e.g. "Update 1.6.0 available", "Update 1.6.0") is drawn right-aligned in the first form that fits
    /// beside it, or not at all.
    /// </summary>
    private static void Header(MonoFrame frame, int left, Icon icon, string title, IReadOnlyList<string>? aside = null)
    {
        frame.FillRectangle(left, 0, frame.Width - left, HeaderHeight);
        icon.Draw(frame, left + Margin, (HeaderHeight - icon.Height) / 2, 1, dark: false);
        var x = left + Margin + icon.Width + 4;
        var shown = Bold.Ellipsize(title, frame.Width - x - Margin);
        Bold.Draw(frame, x, 2, shown, dark: false);
        var free = frame.Width - Margin - (x + Bold.MeasureWidth(shown) + 2 * Bold.MeasureWidth(" "));
        if (aside?.FirstOrDefault(a => Bold.MeasureWidth(a) <= free) is { } side)
        {
            Bold.Draw(frame, frame.Width - Margin - Bold.MeasureWidth(side), 2, side, dark: false);
        }
    }

    /// <summary>Wraps the paragraphs to <paramref name="width"/>; beyond <paramref name="maxLines"/> the last line kept ends in "…".</summary>
    private static List<string> FitLines(BdfFont font, IEnumerable<string> paragraphs, int width, int maxLines)
    {
        var all = paragraphs.SelectMany(p => font.Wrap(p, width)).ToList();
        if (maxLines <= 0)
        {
            return [];
        }
        if (all.Count <= maxLines)
        {
            return all;
        }
        var kept = all.Take(maxLines).ToList();
        kept[^1] = font.Ellipsize(kept[^1] + " " + all[maxLines], width);
        if (!kept[^1].EndsWith('\u2026'))
        {
            kept[^1] = font.Ellipsize(kept[^1] + "\u2026", width);
        }
        return kept;
    }

    private static void DrawLines(MonoFrame frame, BdfFont font, int x, int y, IReadOnlyList<string> lines)
    {
        foreach (var line in lines)
        {
            font.Draw(frame, x, y, line);
            y += font.LineHeight;
        }
    }
}
