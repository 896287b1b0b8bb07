using WaSms.Core.State;
using WaSms.Hardware.Imaging;

namespace WaSms.Hardware.Display;

/// <summary>
/// Draws the screen for a state snapshot: a title bar naming the state, the QR while pairing,
/// the linked number when linked, and the reason in words. Pure: same snapshot, same pixels.
/// </summary>
public static class ScreenRenderer
{
    public static MonoFrame Render(GatewaySnapshot snapshot, int width, int height, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var frame = new MonoFrame(width, height);
        var qr = snapshot.State == GatewayState.Unpaired ? snapshot.Pairing?.QrCode : null;

        var textLeft = 0;
        if (qr is not null)
        {
            var box = Math.Min(height, width / 2);
            QrMatrix.Encode(qr).Draw(frame, 0, (height - box) / 2, box);
            textLeft = box + 2;
        }

        var textWidth = width - textLeft - 4;
        var y = 2;
        var title = BdfFont.SmallBold;
        var body = BdfFont.Small;

        frame.FillRectangle(textLeft, 0, width - textLeft, title.LineHeight + 3);
        title.Draw(frame, textLeft + 3, 2, Title(snapshot.State), dark: false);
        y += title.LineHeight + 4;

        var lines = new List<string>();
        if (qr is not null)
        {
            lines.Add("WhatsApp > Linked devices > Link a device");
            if (snapshot.Pairing is { QrExpiresAt: { } expires })
            {
                var left = Math.Max(0, (int)Math.Ceiling((expires - now).TotalSeconds));
                var which = snapshot.Pairing.RefCount > 0 ? $"code {snapshot.Pairing.RefNumber}/{snapshot.Pairing.RefCount}, " : "";
                lines.Add($"{which}{left} s left");
            }
        }
        else if (snapshot.State == GatewayState.Unpaired && snapshot.Pairing?.PairingCode is { } code)
        {
            lines.Add("Enter on your phone:");
            lines.Add(code.Length == 8 ? $"{code[..4]}-{code[4..]}" : code); // WaClient gives XXXX-XXXX already
        }
        if (snapshot.Account is { } account && snapshot.State is GatewayState.Online or GatewayState.Degraded or GatewayState.Connecting)
        {
            lines.Add(account.PushName is null ? account.MaskedNumber : $"{account.MaskedNumber} {account.PushName}");
        }
        lines.AddRange(body.Wrap(snapshot.Reason, textWidth));

        foreach (var line in lines.SelectMany(l => body.Wrap(l, textWidth)))
        {
            if (y + body.LineHeight > height)
            {
                break;
            }
            body.Draw(frame, textLeft + 3, y, line);
            y += body.LineHeight;
        }
        return frame;
    }

    public static string Title(GatewayState state) => state switch
    {
        GatewayState.Booting => "Starting",
        GatewayState.Unpaired => "Scan to link",
        GatewayState.Pairing => "Linking",
        GatewayState.Connecting => "Connecting",
        GatewayState.Online => "Online",
        GatewayState.Degraded => "Degraded",
        GatewayState.RelinkNeeded => "Link again",
        GatewayState.ClientOutdated => "Update needed",
        GatewayState.TempBanned => "Temporarily banned",
        GatewayState.Resetting => "Resetting",
        GatewayState.Updating => "Updating",
        GatewayState.Fatal => "Error",
        _ => state.ToName(),
    };
}
