using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using WaSms.WhatsApp.Binary;

namespace WaSms.Emulators.WhatsApp.Accounts;

/// <summary>
/// The participant-list hash on server acks and device notifications (docs/protocol/messaging.md §5):
/// <c>"2:"</c> + unpadded standard base64 of the first 6 bytes of SHA-256 over the sorted device
/// JIDs written <c>user.agent:device@server</c>, concatenated (whatsmeow send.go participantListHashV2).
/// </summary>
internal static class ParticipantHash
{
    public static string Of(IEnumerable<Jid> devices)
    {
        var strings = devices.Select(AdString).ToList();
        strings.Sort(StringComparer.Ordinal);
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(strings)));
        return "2:" + Convert.ToBase64String(digest, 0, 6).TrimEnd('=');
    }

    public static string AdString(Jid jid) =>
        string.Create(CultureInfo.InvariantCulture, $"{jid.User}.{jid.Agent}:{jid.Device ?? 0}@{jid.Server}");
}
