using WaSms.WhatsApp.Binary;

namespace WaSms.WhatsApp.Messaging.Groups;

/// <summary>A group the account is in, as <see cref="Client.WaClient.GetJoinedGroupsAsync"/> lists it.</summary>
/// <param name="Jid">The group JID (<c>…@g.us</c>).</param>
/// <param name="Subject">Its name.</param>
/// <param name="ParticipantCount">How many members it has.</param>
/// <param name="AddressingMode"><c>lid</c> or <c>pn</c>: how members are named in it (docs/protocol/messaging.md §11).</param>
public sealed record GroupInfo(Jid Jid, string Subject, int ParticipantCount, string AddressingMode);

/// <summary>A member: the JID the group names it by, and its other identity when the server gave it.</summary>
internal sealed record GroupParticipant(Jid Jid, Jid? Lid, Jid? PhoneNumber);

/// <summary>A group's metadata as the send path needs it.</summary>
internal sealed record GroupMetadata(Jid Jid, string Subject, string AddressingMode, IReadOnlyList<GroupParticipant> Participants)
{
    /// <summary>The public summary.</summary>
    public GroupInfo ToInfo() => new(Jid, Subject, Participants.Count, AddressingMode);
}
