using System.Buffers.Binary;
using System.Globalization;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Signal;

namespace WaSms.WhatsApp.Messaging.Send;

/// <summary>The bundles the server gave, by the device JID asked for, and the devices it refused (code and text).</summary>
internal sealed record PreKeyBundles(IReadOnlyDictionary<Jid, PreKeyBundle> Bundles, IReadOnlyDictionary<Jid, string> Errors);

/// <summary>
/// Fetching prekey bundles for devices without a session (docs/protocol/messaging.md §6.2):
/// <c>&lt;iq xmlns="encrypt" type="get"&gt;&lt;key&gt;&lt;user jid [reason="identity"]/&gt;…&lt;/key&gt;&lt;/iq&gt;</c>.
/// A <c>&lt;user&gt;</c> with an <c>&lt;error&gt;</c> is a failure of that device only, as whatsmeow reads it.
/// </summary>
internal static class PreKeyBundleQuery
{
    /// <summary>Devices asked for in one query (and answers read).</summary>
    public const int MaxDevices = 1024;

    /// <summary>
    /// The <c>&lt;key&gt;</c> child for <paramref name="devices"/>; <paramref name="forIdentity"/> adds
    /// <c>reason="identity"</c>, which Baileys sends when it forces a fresh session (a retry) and whatsmeow always.
    /// </summary>
    public static Node Build(IReadOnlyCollection<Jid> devices, bool forIdentity)
    {
        ArgumentNullException.ThrowIfNull(devices);
        if (devices.Count is 0 or > MaxDevices)
        {
            throw new ArgumentOutOfRangeException(nameof(devices), devices.Count, $"A prekey query names 1 to {MaxDevices} devices.");
        }

        return NodeHelpers.Make("key", [], [.. devices.Select(d => forIdentity
            ? NodeHelpers.Make("user", ("jid", d), ("reason", "identity"))
            : NodeHelpers.Make("user", ("jid", d)))]);
    }

    /// <summary>Reads the answer's <c>&lt;list&gt;&lt;user&gt;</c> bundles; a malformed user counts as refused.</summary>
    /// <exception cref="WaProtocolException">The answer is an iq error or has no <c>&lt;list&gt;</c>.</exception>
    public static PreKeyBundles Parse(Node reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (reply.Attr("type") != "result" || !reply.TryGetChild("list", out var list))
        {
            var error = reply.TryGetChild("error", out var e) ? $"{e.Attr("code")} {e.Attr("text")}" : "no <list>";
            throw new WaProtocolException($"The prekey query failed: {error}.");
        }

        var bundles = new Dictionary<Jid, PreKeyBundle>();
        var errors = new Dictionary<Jid, string>();
        foreach (var user in list.Children.Where(c => c.Tag == "user").Take(MaxDevices))
        {
            if (user.JidAttr("jid") is not { } jid)
            {
                continue;
            }

            if (user.TryGetChild("error", out var userError))
            {
                errors[jid] = string.Create(CultureInfo.InvariantCulture, $"{userError.Attr("code")} {userError.Attr("text")}");
            }
            else if (TryReadBundle(user, jid, out var bundle, out var problem))
            {
                bundles[jid] = bundle;
            }
            else
            {
                errors[jid] = problem;
            }
        }

        return new PreKeyBundles(bundles, errors);
    }

    /// <summary>
    /// Reads a bundle from <paramref name="node"/>'s children (or its <c>&lt;keys&gt;</c> child, the
    /// shape whatsmeow also accepts and retry receipts use), checking every length.
    /// </summary>
    public static bool TryReadBundle(Node node, Jid device, out PreKeyBundle bundle, out string problem)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(device);
        bundle = null!;
        var keys = node.TryGetChild("keys", out var wrapped) ? wrapped : node;
        if (!node.TryGetBytesChild("registration", out var registration) || registration.Length != 4)
        {
            problem = "<registration> is not 4 bytes";
            return false;
        }

        if (!keys.TryGetBytesChild("identity", out var identity) || identity.Length != 32)
        {
            problem = "<identity> is not 32 bytes";
            return false;
        }

        if (!keys.TryGetChild("skey", out var skey) || !PreKeyNodes.TryReadKey(skey, out var signedId, out var signedKey)
            || !skey.TryGetBytesChild("signature", out var signature) || signature.Length != 64)
        {
            problem = "<skey> is not a 3-byte id, a 32-byte key and a 64-byte signature";
            return false;
        }

        uint? preKeyId = null;
        byte[] preKey = [];
        if (keys.TryGetChild("key", out var key))
        {
            if (!PreKeyNodes.TryReadKey(key, out var id, out preKey))
            {
                problem = "<key> is not a 3-byte id and a 32-byte key";
                return false;
            }

            preKeyId = id;
        }

        bundle = new PreKeyBundle(
            BinaryPrimitives.ReadUInt32BigEndian(registration), device.Device ?? 0, identity, signedId, signedKey, signature, preKeyId, preKey);
        problem = string.Empty;
        return true;
    }
}
