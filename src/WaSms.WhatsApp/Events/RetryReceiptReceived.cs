using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Signal;

namespace WaSms.WhatsApp.Events;

/// <summary>
/// A device could not decrypt a message we sent and asks for it again (<c>&lt;receipt type="retry"&gt;</c>,
/// docs/protocol/messaging.md §8); the send side answers it with a resend.
/// </summary>
/// <param name="MessageId">The id of our message (<c>&lt;retry id&gt;</c>, else the receipt's id).</param>
/// <param name="From">The receipt's <c>from</c>: the device (1:1) or the group.</param>
/// <param name="Participant">The device that failed, for groups and broadcasts; else null.</param>
/// <param name="Recipient">The chat, on receipts from our own other devices; else null.</param>
/// <param name="Count">How many retries the device has asked for (1 for the first).</param>
/// <param name="Timestamp">The <c>t</c> of the message it failed on, if given.</param>
/// <param name="RegistrationId">The device's registration id (<c>&lt;registration&gt;</c>).</param>
/// <param name="Bundle">The fresh prekey bundle of <c>&lt;keys&gt;</c>, when the device sent one (count 2 on).</param>
/// <param name="DeviceIdentity">The <c>&lt;device-identity&gt;</c> bytes inside <c>&lt;keys&gt;</c>, if any.</param>
public sealed record RetryReceiptReceived(
    string MessageId,
    Jid From,
    Jid? Participant,
    Jid? Recipient,
    int Count,
    DateTimeOffset? Timestamp,
    uint RegistrationId,
    PreKeyBundle? Bundle,
    ReadOnlyMemory<byte> DeviceIdentity) : WaEvent
{
    /// <summary>The device that failed: <see cref="Participant"/> when present, else <see cref="From"/>.</summary>
    public Jid Device => Participant ?? From;
}
