using WaSms.WhatsApp.Crypto;

namespace WaSms.WhatsApp.Store;

/// <summary>An <see cref="IPreKeyStore"/> in memory, for tests and tools; the gateway keeps them in SQLite.</summary>
public sealed class InMemoryPreKeyStore : IPreKeyStore
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<uint, (PreKey Key, bool Uploaded)> _keys = [];
    private uint _nextId = 1;

    /// <inheritdoc />
    public Task<IReadOnlyList<PreKey>> GetOrCreateUnuploadedAsync(int count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var keys = _keys.Values.Where(k => !k.Uploaded).Select(k => k.Key).Take(count).ToList();
            while (keys.Count < count)
            {
                var key = new PreKey(_nextId, Curve25519KeyPair.Generate());
                _keys[key.Id] = (key, false);
                keys.Add(key);
                _nextId = _nextId >= PreKey.MaxId ? 1 : _nextId + 1;
            }
            return Task.FromResult<IReadOnlyList<PreKey>>(keys);
        }
    }

    /// <inheritdoc />
    public Task MarkUploadedAsync(IReadOnlyCollection<uint> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        lock (_gate)
        {
            foreach (var id in ids)
            {
                if (_keys.TryGetValue(id, out var entry))
                {
                    _keys[id] = (entry.Key, true);
                }
            }
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<int> CountUploadedAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_keys.Values.Count(k => k.Uploaded));
        }
    }

    /// <inheritdoc />
    public Task<PreKey?> GetAsync(uint id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_keys.TryGetValue(id, out var entry) ? entry.Key : null);
        }
    }

    /// <inheritdoc />
    public Task RemoveAsync(uint id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _keys.Remove(id);
        }
        return Task.CompletedTask;
    }
}
