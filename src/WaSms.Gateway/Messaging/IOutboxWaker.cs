namespace WaSms.Gateway.Messaging;

/// <summary>Tells the WhatsApp client a send job was queued, so it sends now rather than at its next drain (Links/).</summary>
public interface IOutboxWaker
{
    void WakeOutbox();
}

/// <summary>A group the linked number is in, as <c>wasms-gateway groups</c> lists it.</summary>
public sealed record JoinedGroup(string Jid, string Subject, int ParticipantCount, string AddressingMode);

/// <summary>Lists the groups the linked number is in (Links/, through the WhatsApp client).</summary>
public interface IGroupDirectory
{
    /// <exception cref="InvalidOperationException">The link is not up.</exception>
    Task<IReadOnlyList<JoinedGroup>> GetJoinedGroupsAsync(CancellationToken cancellationToken);
}
