using WaSms.WhatsApp.Binary;

namespace WaSms.Emulators.WhatsApp.Routing;

/// <summary>
/// The parts of a client's <c>&lt;message&gt;</c> routing needs (docs/protocol/messaging.md §6.3–§6.4, §8):
/// the per-device <c>&lt;participants&gt;&lt;to jid&gt;&lt;enc/&gt;</c>, the <c>&lt;enc&gt;</c> children
/// directly under the message (a group's <c>skmsg</c>, a resend's ciphertext, a peer message), the
/// <c>participant</c> and <c>device_fanout</c> of a resend, and the <c>&lt;device-identity&gt;</c>.
/// </summary>
internal sealed record FanoutRequest(
    IReadOnlyList<(Jid Device, IReadOnlyList<Node> Encs)> Participants,
    IReadOnlyList<Node> Direct,
    Jid? Participant,
    string? DeviceFanout,
    Node? DeviceIdentity)
{
    public static FanoutRequest Parse(Node message)
    {
        var participants = new List<(Jid, IReadOnlyList<Node>)>();
        if (message.TryGetChild("participants", out var list))
        {
            foreach (var to in list.Children)
            {
                if (to.Tag == "to" && to.JidAttr("jid") is { } device)
                {
                    participants.Add((device, [.. to.Children.Where(c => c.Tag == "enc")]));
                }
            }
        }

        return new FanoutRequest(
            participants,
            [.. message.Children.Where(c => c.Tag == "enc")],
            message.JidAttr("participant"),
            message.Attr("device_fanout"),
            message.TryGetChild("device-identity", out var identity) ? identity : null);
    }
}
