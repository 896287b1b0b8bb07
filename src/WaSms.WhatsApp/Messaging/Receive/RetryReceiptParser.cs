using System.Buffers.Binary;
using System.Globalization;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Signal;

namespace WaSms.WhatsApp.Messaging.Receive;

/// <summary>
/// Reads an inbound <c>&lt;receipt type="retry"&gt;</c> (docs/protocol/messaging.md §8; whatsmeow
/// retry.go <c>handleRetryReceipt</c>, Baileys messages-recv.js <c>handleReceipt</c>): the message id
/// and count from <c>&lt;retry&gt;</c>, the registration id, and the prekey bundle of <c>&lt;keys&gt;</c>.
/// </summary>
internal static class RetryReceiptParser
{
    /// <summary>The event for <paramref name="receipt"/>, or null with <paramref name="problem"/> when it lacks what a resend needs.</summary>
    public static RetryReceiptReceived? Parse(Node receipt, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        var from = receipt.JidAttr("from");
        if (from is null || !receipt.TryGetChild("retry", out var retry))
        {
            problem = "no from or no <retry>";
            return null;
        }

        var id = retry.Attr("id") ?? receipt.Attr("id");
        if (string.IsNullOrEmpty(id) || !receipt.TryGetBytesChild("registration", out var registration) || registration.Length != 4)
        {
            problem = "no message id or no 4-byte <registration>";
            return null;
        }

        retry.TryIntAttr("count", out var count);
        DateTimeOffset? timestamp = long.TryParse(retry.Attr("t"), NumberStyles.None, CultureInfo.InvariantCulture, out var t) && t <= 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds(t)
            : null;
        var registrationId = BinaryPrimitives.ReadUInt32BigEndian(registration);
        var participant = receipt.JidAttr("participant");
        PreKeyBundle? bundle = null;
        ReadOnlyMemory<byte> deviceIdentity = default;
        if (receipt.TryGetChild("keys", out var keys))
        {
            bundle = ReadBundle(keys, registrationId, (participant ?? from).Device ?? 0, out problem);
            if (bundle is null)
            {
                return null;
            }

            deviceIdentity = keys.TryGetBytesChild("device-identity", out var identityBytes) ? identityBytes : default;
        }

        problem = null;
        return new RetryReceiptReceived(id, from, participant, receipt.JidAttr("recipient"), Math.Max(count, 1), timestamp, registrationId, bundle, deviceIdentity);
    }

    private static PreKeyBundle? ReadBundle(Node keys, uint registrationId, uint deviceId, out string? problem)
    {
        if (!keys.TryGetBytesChild("identity", out var identity) || identity.Length != Curve25519.KeySize
            || !keys.TryGetChild("skey", out var skey) || !PreKeyNodes.TryReadKey(skey, out var signedId, out var signedKey)
            || !skey.TryGetBytesChild("signature", out var signature) || signature.Length != 64)
        {
            problem = "<keys> lacks a 32-byte <identity> or a complete <skey>";
            return null;
        }

        uint? preKeyId = null;
        byte[] preKey = [];
        if (keys.TryGetChild("key", out var key))
        {
            if (!PreKeyNodes.TryReadKey(key, out var id, out preKey))
            {
                problem = "<keys><key> lacks a 3-byte <id> or a 32-byte <value>";
                return null;
            }

            preKeyId = id;
        }

        problem = null;
        return new PreKeyBundle(registrationId, deviceId, identity, signedId, signedKey, signature, preKeyId, preKey);
    }
}
