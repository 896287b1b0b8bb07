using WaSms.WhatsApp.Client;

namespace WaSms.Emulators.WhatsApp;

/// <summary>What the server keeps of a device's key bundle: its one-time prekeys by id, and whether it is active.</summary>
internal sealed class DeviceKeys
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<uint, ReadOnlyMemory<byte>> _preKeys = [];

    public volatile bool Active;

    public int Count
    {
        get { lock (_gate) { return _preKeys.Count; } }
    }

    /// <summary>Adds (or replaces, for a re-sent id) the uploaded prekeys.</summary>
    public void Add(PreKeyUpload upload)
    {
        lock (_gate)
        {
            foreach (var (id, key) in upload.PreKeys)
            {
                _preKeys[id] = key;
            }
        }
    }

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
}
