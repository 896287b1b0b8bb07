using WaSms.Hardware.Display;

namespace WaSms.Gateway;

/// <summary>
/// WhatsApp's menu path in the words the screen uses (<see cref="ScreenRenderer.LinkPath"/>), so the
/// screen, <c>status</c>, <c>qr</c> and <c>pair-code</c> tell the customer the same thing. "Linked
/// Devices" sits under Settings on an iPhone and under the ⋮ menu on Android, hence "WhatsApp →";
/// a device is linked by QR or "with your phone number" (https://faq.whatsapp.com/378279804439436).
/// </summary>
public static class LinkTexts
{
    /// <summary>Where the QR is scanned.</summary>
    public const string QrPath = ScreenRenderer.LinkPath;

    /// <summary>Where the 8-character pairing code is entered.</summary>
    public const string PhoneNumberPath = ScreenRenderer.LinkPath + " \u2192 Link with phone number instead";
}
