using WaSms.Emulators.WhatsApp.Accounts;
using WaSms.WhatsApp.Binary;

namespace WaSms.Emulators.WhatsApp.Groups;

/// <summary>
/// A group on the emulator: its JID, subject, creator, creation time, addressing mode and members
/// (docs/protocol/messaging.md §11). Membership is fixed at creation (the emulator has no group admin iqs).
/// </summary>
internal sealed class EmulatedGroup(Jid jid, string subject, EmulatedAccount creator, long creation, bool lidAddressed, IReadOnlyList<EmulatedAccount> members)
{
    public Jid Jid { get; } = jid;

    public string Subject { get; } = subject;

    public EmulatedAccount Creator { get; } = creator;

    /// <summary>Unix seconds.</summary>
    public long Creation { get; } = creation;

    /// <summary>True for <c>addressing_mode="lid"</c>: participants and senders are written as LIDs.</summary>
    public bool LidAddressed { get; } = lidAddressed;

    public string AddressingMode => LidAddressed ? "lid" : "pn";

    public IReadOnlyList<EmulatedAccount> Members { get; } = members;

    public bool IsMember(EmulatedAccount account) => Members.Contains(account);
}
