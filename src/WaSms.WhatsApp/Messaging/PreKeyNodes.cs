using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Crypto;

namespace WaSms.WhatsApp.Messaging;

/// <summary>
/// The key children of prekey stanzas — uploads, bundles, retry-receipt <c>&lt;keys&gt;</c>
/// (docs/whatsapp.md §6.2, docs/protocol/messaging.md §6.2, §8): <c>&lt;key&gt;</c> or <c>&lt;skey&gt;</c>
/// with a 3-byte big-endian <c>&lt;id&gt;</c>, a 32-byte <c>&lt;value&gt;</c> and, for the signed prekey, a <c>&lt;signature&gt;</c>.
/// Here rather than in the client folder so the messaging folders can use it without importing the client.
/// </summary>
internal static class PreKeyNodes
{
    public static Node KeyNode(string tag, uint id, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> signature = default)
    {
        var idBytes = new byte[3];
        idBytes[0] = (byte)(id >> 16);
        idBytes[1] = (byte)(id >> 8);
        idBytes[2] = (byte)id;
        var children = new List<Node> { NodeHelpers.MakeBytes("id", [], idBytes), NodeHelpers.MakeBytes("value", [], publicKey) };
        if (!signature.IsEmpty)
        {
            children.Add(NodeHelpers.MakeBytes("signature", [], signature));
        }

        return NodeHelpers.Make(tag, [], [.. children]);
    }

    public static bool TryReadKey(Node key, out uint id, out byte[] value)
    {
        id = 0;
        value = [];
        if (!key.TryGetBytesChild("id", out var idBytes) || idBytes.Length != 3
            || !key.TryGetBytesChild("value", out var valueBytes) || valueBytes.Length != Curve25519.KeySize)
        {
            return false;
        }

        id = (uint)(idBytes[0] << 16 | idBytes[1] << 8 | idBytes[2]);
        value = valueBytes;
        return true;
    }
}
