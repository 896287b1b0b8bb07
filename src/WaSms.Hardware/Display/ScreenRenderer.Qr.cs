using WaSms.Hardware.Imaging;

namespace WaSms.Hardware.Display;

/// <summary>The linking screens: the QR code (landscape beside the text, portrait above it) and the phone-number pairing code.</summary>
public static partial class ScreenRenderer
{
    private const string ShortLinkPath = "Linked devices \u2192 Link a device";

    /// <summary>
    /// The light margin kept around the QR on every side, in modules, up to the panel's edge or the
    /// nearest text: ISO/IEC 18004 asks 4; 2 is the least a phone camera still reads through e-paper's
    /// grey-on-grey contrast (tests/…/PhoneCamera.cs). The QR gets the full 4 where the panel has room
    /// at <see cref="QrMinimumModulePixels"/> or more, else the largest module size that keeps 2.
    /// </summary>
    private const int QrQuietModules = 2;

    private const int QrIdealQuietModules = 4;

    /// <summary>Modules smaller than this blur into each other on a phone photo of e-paper.</summary>
    private const int QrMinimumModulePixels = 2;

    /// <returns>Where text may start at the bottom: right of a landscape QR, else 0.</returns>
    private static int DrawUnpaired(MonoFrame frame, ScreenModel model)
    {
        var pairing = model.Snapshot.Pairing;
        if (pairing?.QrCode is { } qr && (pairing.QrExpiresAt is not { } expires || expires > model.Now))
        {
            return DrawQr(frame, qr, QrStatus(pairing, model.Now));
        }
        else if (pairing?.PairingCode is { } code)
        {
            DrawPairingCode(frame, code);
        }
        else if (pairing?.QrCode is not null)
        {
            Message(frame, Icon.Phone, "Link WhatsApp", "Code expired", ["The QR code on screen expired.", model.Snapshot.Reason], "Press the button for a new code");
        }
        else if (model.Snapshot.Reason.StartsWith("Clock ", StringComparison.Ordinal))
        {
            // No QR until the clock is right (WhatsApp's certificate check needs it); nothing to press.
            Message(frame, Icon.Clock, "Link WhatsApp", "Clock not set", [model.Snapshot.Reason], "The gateway retries by itself");
        }
        else
        {
            Message(frame, Icon.Phone, "Link WhatsApp", "Not linked", [model.Snapshot.Reason], "Press the button for a new code");
        }
        return 0;
    }

    /// <returns>Where the text column starts: right of the code in landscape, else 0.</returns>
    private static int DrawQr(MonoFrame frame, string qr, (string? Which, string TimeLeft) status)
    {
        var matrix = QrMatrix.Encode(qr);
        var withQuiet = matrix.Size + 2 * QrQuietModules;
        if (frame.Width * 2 >= frame.Height * 3)
        {
            // Landscape: the code fills the height on the left, the words go in the column beside it.
            var box = Math.Min(frame.Height, frame.Width / 2);
            var scale = box / withQuiet;
            box = withQuiet * scale;
            matrix.Draw(frame, 0, (frame.Height - box) / 2, box, QrQuietModules);
            var left = box + 1;
            Header(frame, left, Icon.Phone, "Link WhatsApp");
            var width = frame.Width - left - 2 * Margin;
            var bottom = frame.Height - 1;
            var tail = new List<string>();
            if (status.Which is { } which)
            {
                tail.Add(which);
            }
            tail.Add(status.TimeLeft);
            var tailLines = FitLines(Bold, tail, width, 2);
            var top = HeaderHeight + 2;
            var maxLines = (bottom - top - tailLines.Count * Bold.LineHeight - 2) / Body.LineHeight;
            var lines = FitLines(Body, ["On your phone:", "WhatsApp \u2192\nLinked devices \u2192\nLink a device"], width, maxLines);
            DrawLines(frame, Body, left + Margin, top, lines);
            DrawLines(frame, Bold, left + Margin, bottom - tailLines.Count * Bold.LineHeight, tailLines);
            return left;
        }
        else
        {
            // Portrait: the code on top, its quiet zone kept clear on all four sides (the text below
            // starts only after it), then the menu path if it fits, and the status line at the bottom.
            var textWidth = frame.Width - 2 * Margin;
            var statusHeight = Bold.LineHeight;
            var (scale, quiet) = PortraitQrLayout(matrix.Size, frame.Width, frame.Height - statusHeight - 1);
            var size = matrix.Size * scale;
            var free = frame.Height - 1 - statusHeight - size;
            // Beyond the quiet zones, room for the menu path; what is left widens the quiet zones.
            var menuLines = Math.Max(0, (free - 2 * quiet * scale) / Body.LineHeight);
            var statusLine = status.Which is null ? status.TimeLeft : $"{status.Which} \u00b7 {status.TimeLeft}";
            var statusLines = FitLines(Bold, [statusLine], textWidth, 1);
            // Where one line is all there is, the menu path loses its first step rather than its last.
            var lines = FitLines(Body, [LinkPath], textWidth, menuLines);
            if (lines.Count > 0 && lines[^1].EndsWith('\u2026'))
            {
                lines = FitLines(Body, [ShortLinkPath], textWidth, menuLines);
            }
            var top = (free - lines.Count * Body.LineHeight) / 2;
            var box = (matrix.Size + 2 * quiet) * scale;
            matrix.Draw(frame, (frame.Width - box) / 2, top - quiet * scale, box, quiet);
            var y = size + 2 * top;
            DrawLines(frame, Body, Margin, y, lines);
            DrawLines(frame, Bold, Margin, y + lines.Count * Body.LineHeight, statusLines);
            return 0;
        }
    }

    /// <summary>
    /// The module size (pixels) and quiet zone (modules) for a QR of <paramref name="modules"/> in a
    /// <paramref name="width"/> × <paramref name="height"/> area: a 4-module quiet zone at 2 px per
    /// module or more when it fits, else the largest module size that keeps 2 modules.
    /// </summary>
    private static (int Scale, int Quiet) PortraitQrLayout(int modules, int width, int height)
    {
        var ideal = Math.Min(width, height) / (modules + 2 * QrIdealQuietModules);
        if (ideal >= QrMinimumModulePixels)
        {
            return (ideal, QrIdealQuietModules);
        }
        return (Math.Max(1, Math.Min(width, height) / (modules + 2 * QrQuietModules)), QrQuietModules);
    }

    private static void DrawPairingCode(MonoFrame frame, string code)
    {
        Header(frame, 0, Icon.Phone, "Link with code");
        // WaClient gives "XXXX-XXXX"; a bare 8-character code gets the dash the phone shows too.
        var shown = code.Length == 8 ? $"{code[..4]}-{code[4..]}" : code;
        var width = frame.Width - 2 * Margin;
        var scale = Large.MeasureWidth(shown) * 2 <= width ? 2 : 1;
        var text = Large.Ellipsize(shown, width / scale);
        var codeWidth = Large.MeasureWidth(text) * scale;
        var y = HeaderHeight + 3;
        Large.Draw(frame, (frame.Width - codeWidth) / 2, y, text, dark: true, scale);
        y += Large.LineHeight * scale + 3;
        var maxLines = (frame.Height - 1 - y) / Body.LineHeight;
        var lines = FitLines(Body, [LinkPath + " \u2192 Link with phone number instead, then enter this code."], width, maxLines);
        DrawLines(frame, Body, Margin, y, lines);
    }
}
