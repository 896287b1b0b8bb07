using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using WaSms.WhatsApp.Binary;

namespace WaSms.WhatsApp.Messaging.Send;

/// <summary>
/// The participant-list hash of a fan-out (<c>phash</c>, docs/protocol/messaging.md §5): <c>2:</c> and the
/// unpadded standard base64 of the first 6 bytes of SHA-256 over the sorted <c>user.agent:device@server</c>
/// strings (whatsmeow <c>participantListHashV2</c>). The server returns its own in the ack; a different
/// value means our device list missed devices.
/// </summary>
internal static class ParticipantHash
{
    public static string V2(IEnumerable<Jid> devices)
    {
        ArgumentNullException.ThrowIfNull(devices);
        var forms = devices
            .Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.User}.{d.Agent}:{d.Device ?? 0}@{d.Server}"))
            .Order(StringComparer.Ordinal);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(forms)));
        return "2:" + Convert.ToBase64String(hash, 0, 6);
    }
}
