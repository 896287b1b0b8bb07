using System.Diagnostics.CodeAnalysis;

namespace WaSms.WhatsApp.Pairing;

/// <summary>
/// The QR string a phone scans to link a device, in the current five-part form
/// <c>https://wa.me/settings/linked_devices#ref,noise,identity,adv,platform</c> (docs/whatsapp.md §4.2;
/// whatsmeow pair.go <c>makeQRData</c>, Baileys rc14 lib/Utils/companion-reg-client-utils.js
/// <c>buildPairingQRData</c>). The keys and the ADV secret are standard base64 with padding.
/// <see cref="TryParse"/> also accepts the older four-part <c>ref,noise,identity,adv</c> form.
/// </summary>
/// <param name="Ref">The ref from the server's pair-device, as text (e.g. <c>2@…</c>).</param>
/// <param name="NoisePublicKey">The device's Noise static public key (32 bytes).</param>
/// <param name="IdentityPublicKey">The device's identity public key (32 bytes).</param>
/// <param name="AdvSecret">The ADV secret (32 bytes).</param>
/// <param name="PlatformId">The companion client type (<c>1</c> Chrome … <c>9</c> other web client); empty in the old form.</param>
public sealed record PairingQrCode(string Ref, ReadOnlyMemory<byte> NoisePublicKey, ReadOnlyMemory<byte> IdentityPublicKey, ReadOnlyMemory<byte> AdvSecret, string PlatformId)
{
    /// <summary>The prefix of the current form.</summary>
    public const string Prefix = "https://wa.me/settings/linked_devices#";

    /// <summary>The platform id WaSMS announces: 1 (Chrome), matching <c>DeviceProps.platformType = CHROME</c>, as Baileys' default browser does.</summary>
    public const string DefaultPlatformId = "1";

    /// <summary>The string to encode in the QR code.</summary>
    public override string ToString() =>
        Prefix + string.Join(
            ',',
            Ref,
            Convert.ToBase64String(NoisePublicKey.Span),
            Convert.ToBase64String(IdentityPublicKey.Span),
            Convert.ToBase64String(AdvSecret.Span),
            PlatformId);

    /// <summary>Reads a five-part (current) or four-part (old) QR string; false when it is neither.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out PairingQrCode? code)
    {
        code = null;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var body = text.StartsWith(Prefix, StringComparison.Ordinal) ? text[Prefix.Length..] : text;
        var parts = body.Split(',');
        if (parts.Length is not (4 or 5) || parts[0].Length == 0)
        {
            return false;
        }

        var keys = new byte[3][];
        for (var i = 0; i < 3; i++)
        {
            var buffer = new byte[32];
            if (!Convert.TryFromBase64String(parts[i + 1], buffer, out var written) || written != 32)
            {
                return false;
            }

            keys[i] = buffer;
        }

        code = new PairingQrCode(parts[0], keys[0], keys[1], keys[2], parts.Length == 5 ? parts[4] : string.Empty);
        return true;
    }
}
