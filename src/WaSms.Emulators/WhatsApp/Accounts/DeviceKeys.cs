using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Signal;

namespace WaSms.Emulators.WhatsApp.Accounts;

/// <summary>
/// What the server keeps of one device's published keys (docs/protocol/messaging.md §6.2): the last
/// upload's registration id, identity and signed prekey, the one-time prekeys not yet handed out,
/// and whether the device declared itself active.
/// </summary>
internal sealed class DeviceKeys
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<uint, ReadOnlyMemory<byte>> _preKeys = [];
    private PreKeyUpload? _published;

    public volatile bool Active;

    /// <summary>How many one-time prekeys are left.</summary>
    public int Count
    {
        get { lock (_gate) { return _preKeys.Count; } }
    }

    /// <summary>True once the device uploaded its keys (a bundle can be handed out).</summary>
    public bool HasBundle
    {
        get { lock (_gate) { return _published is not null; } }
    }

    /// <summary>Takes an upload: the signed part replaces the last one, one-time prekeys are added (a re-sent id replaces its key).</summary>
    public void Add(PreKeyUpload upload)
    {
        lock (_gate)
        {
            _published = upload;
            foreach (var (id, key) in upload.PreKeys)
            {
                _preKeys[id] = key;
            }
        }
    }

    /// <summary>Forgets up to <paramref name="count"/> one-time prekeys, lowest ids first (as handing them out would).</summary>
    public IReadOnlyList<uint> Take(int count)
    {
        lock (_gate)
        {
            var ids = _preKeys.Keys.Take(count).ToList();
            foreach (var id in ids)
            {
                _preKeys.Remove(id);
            }

            return ids;
        }
    }

    /// <summary>
    /// The bundle a sender gets for this device, consuming its lowest one-time prekey (none left:
    /// a bundle without one); null before the first upload.
    /// </summary>
    /// <param name="deviceId">The device id the bundle is for.</param>
    /// <param name="left">How many one-time prekeys remain afterwards.</param>
    public PreKeyBundle? TakeBundle(uint deviceId, out int left)
    {
        lock (_gate)
        {
            left = _preKeys.Count;
            if (_published is not { } published)
            {
                return null;
            }

            uint? preKeyId = null;
            ReadOnlyMemory<byte> preKey = default;
            if (_preKeys.Count > 0)
            {
                var (id, key) = _preKeys.First();
                _preKeys.Remove(id);
                preKeyId = id;
                preKey = key;
                left--;
            }

            return new PreKeyBundle(
                published.RegistrationId, deviceId, published.IdentityKey, published.SignedPreKeyId,
                published.SignedPreKey, published.SignedPreKeySignature, preKeyId, preKey);
        }
    }
}
