using System.Globalization;
using WaSms.WhatsApp.Binary;

namespace WaSms.WhatsApp.Signal;

/// <summary>
/// Where a Signal session or identity is kept: a name and a device id. The name is the JID user for
/// phone numbers and <c>user_1</c> for LIDs (<c>_128</c> hosted, <c>_129</c> hosted LID), the rule
/// whatsmeow and Baileys share (docs/protocol/signal.md §8).
/// </summary>
public readonly record struct SignalAddress(string Name, uint DeviceId)
{
    /// <summary>The address of device <see cref="Jid.Device"/> (0 when absent) of <paramref name="jid"/>.</summary>
    public static SignalAddress FromJid(Jid jid)
    {
        ArgumentNullException.ThrowIfNull(jid);
        var name = jid.Server switch
        {
            JidServer.Lid => jid.User + "_1",
            JidServer.Hosted => jid.User + "_128",
            JidServer.HostedLid => jid.User + "_129",
            _ => jid.User,
        };
        return new SignalAddress(name, jid.Device ?? 0);
    }

    /// <summary><c>name.device</c>, the form both libraries print and store.</summary>
    public override string ToString() => Name + "." + DeviceId.ToString(CultureInfo.InvariantCulture);
}
