using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Messaging.Groups;

/// <summary>
/// Group metadata by group JID, from the cache or one <c>w:g2</c> query (docs/protocol/messaging.md §11);
/// whatsmeow caches it until a change, Baileys asks the app's cache. Shared by a client's connections.
/// </summary>
internal sealed class GroupMetadataCache
{
    /// <summary>Groups kept at most.</summary>
    public const int Capacity = 1024;

    private readonly ExpiringCache<Jid, GroupMetadata> _entries;

    public GroupMetadataCache(TimeProvider time, TimeSpan lifetime) => _entries = new(time, lifetime, Capacity);

    /// <summary>The metadata of <paramref name="group"/>; LID pairs from a fresh answer go into <paramref name="learned"/>.</summary>
    /// <exception cref="Send.SendRefusedException">The group does not exist (404) or we are not in it (403).</exception>
    /// <exception cref="WaProtocolException">Another error, or a bad answer.</exception>
    public async Task<GroupMetadata> GetAsync(IStanzaChannel channel, Jid group, SignalChanges learned, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        if (_entries.TryGet(group, out var cached))
        {
            return cached;
        }

        var reply = await channel.QueryAsync(group, "w:g2", "get", GroupQuery.InfoQuery(), cancellationToken);
        if (reply.Attr("type") == "error" && reply.TryGetChild("error", out var error) && error.Attr("code") is "403" or "404")
        {
            // whatsmeow getGroupInfo: 404 the group does not exist, 403 we are not in it. Nothing to retry.
            throw new Send.SendRefusedException(error.Attr("code") == "404" ? "group-not-found" : "not-a-group-member");
        }

        var metadata = GroupQuery.ParseInfo(reply, learned);
        _entries.Put(group, metadata);
        return metadata;
    }

    /// <summary>Every group the account is in (<c>participating</c>), each also cached.</summary>
    public async Task<IReadOnlyList<GroupMetadata>> GetJoinedAsync(IStanzaChannel channel, SignalChanges learned, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var reply = await channel.QueryAsync(Jid.GroupServer, "w:g2", "get", GroupQuery.ParticipatingQuery(), cancellationToken);
        var groups = GroupQuery.ParseParticipating(reply, learned);
        foreach (var group in groups)
        {
            _entries.Put(group.Jid, group);
        }

        return groups;
    }

    /// <summary>Forgets <paramref name="group"/> (a membership change, a phash mismatch).</summary>
    public void Invalidate(Jid group) => _entries.RemoveWhere((k, _) => k == group);
}
