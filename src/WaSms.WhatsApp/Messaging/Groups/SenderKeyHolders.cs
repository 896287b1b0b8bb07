using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Signal;

namespace WaSms.WhatsApp.Messaging.Groups;

/// <summary>
/// Which member devices hold our current sender key of a group, so the distribution message goes only
/// to the others (Baileys' <c>sender-key-memory</c>; whatsmeow sends it to every device every time).
/// A device is added only after the server acked the send that carried its copy. Kept in memory: after
/// a restart every member gets the distribution message once more, which receivers simply process again.
/// </summary>
internal sealed class SenderKeyHolders
{
    /// <summary>Groups tracked at most; the oldest is forgotten (its members get the key again).</summary>
    public const int MaxGroups = 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<(Jid Group, SignalAddress Sender), HashSet<Jid>> _holders = [];

    /// <summary>True when <paramref name="device"/> has our key for <paramref name="group"/>.</summary>
    public bool Has(Jid group, SignalAddress sender, Jid device)
    {
        lock (_gate)
        {
            return _holders.TryGetValue((group, sender), out var set) && set.Contains(device);
        }
    }

    /// <summary>Records that <paramref name="devices"/> received the key.</summary>
    public void Add(Jid group, SignalAddress sender, IEnumerable<Jid> devices)
    {
        lock (_gate)
        {
            if (!_holders.TryGetValue((group, sender), out var set))
            {
                if (_holders.Count >= MaxGroups)
                {
                    _holders.Remove(_holders.Keys.First());
                }

                set = [];
                _holders[(group, sender)] = set;
            }

            set.UnionWith(devices);
        }
    }

    /// <summary>Forgets every holder of the key (a new key was made, or a member asked for a retry).</summary>
    public void Forget(Jid group, SignalAddress sender)
    {
        lock (_gate)
        {
            _holders.Remove((group, sender));
        }
    }
}
