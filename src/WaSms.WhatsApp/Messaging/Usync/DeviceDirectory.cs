using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Messaging.Usync;

/// <summary>
/// Device lists of users, from <see cref="DeviceListCache"/> or else one usync query for all the
/// users missing from it (docs/protocol/messaging.md §6.1). Every LID↔PN pair an answer reveals is
/// added to the caller's <see cref="SignalChanges.LidMappings"/>, so it is committed with the send.
/// </summary>
internal sealed class DeviceDirectory
{
    private readonly DeviceListCache _cache;

    public DeviceDirectory(DeviceListCache cache) => _cache = cache;

    /// <summary>The cache, for invalidation by notifications and phash mismatches.</summary>
    public DeviceListCache Cache => _cache;

    /// <summary>One entry per user of <paramref name="users"/> (device-free user JIDs), in that order; a user the server did not list has no devices.</summary>
    public async Task<IReadOnlyList<UsyncUser>> GetAsync(IStanzaChannel channel, IReadOnlyCollection<Jid> users, SignalChanges learned, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(learned);
        var wanted = users.Select(UsyncDeviceQuery.ToUser).Distinct().ToList();
        var found = new Dictionary<Jid, UsyncUser>();
        var missing = new List<Jid>();
        foreach (var user in wanted)
        {
            if (_cache.TryGet(user, out var cached))
            {
                found[user] = cached;
            }
            else
            {
                missing.Add(user);
            }
        }

        foreach (var chunk in missing.Chunk(UsyncDeviceQuery.MaxUsers))
        {
            var reply = await channel.QueryAsync(Jid.WhatsAppServer, "usync", "get", UsyncDeviceQuery.Build(channel.NextId(), chunk), cancellationToken);
            var answers = UsyncDeviceQuery.Parse(reply);
            for (var i = 0; i < answers.Count; i++)
            {
                var answer = answers[i];
                _cache.Put(answer);
                found[answer.User] = answer;
                if (answer.Lid is { } lid && answer.User.Server == JidServer.WhatsApp)
                {
                    learned.LidMappings[lid.User] = answer.User.User;
                }
                else if (answer.User.Server == JidServer.Lid && !chunk.Contains(answer.User)
                    && i < chunk.Length && chunk[i].Server == JidServer.WhatsApp && !answers.Any(a => a.User == chunk[i]))
                {
                    // Asked by phone number, answered by LID only (the issue says a server may): taken as
                    // the LID of the number asked at the same place in the list. Unconfirmed; §6.1.
                    learned.LidMappings[answer.User.User] = chunk[i].User;
                    found[chunk[i]] = new UsyncUser(chunk[i], [], answer.User);
                }
            }
        }

        return [.. wanted.Select(u => found.TryGetValue(u, out var entry) ? entry : new UsyncUser(u, [], null))];
    }
}
