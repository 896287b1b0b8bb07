using System.Diagnostics.CodeAnalysis;

namespace WaSms.WhatsApp.Messaging;

/// <summary>
/// Entries kept for a fixed lifetime on a <see cref="TimeProvider"/>, thread-safe, bounded in count
/// (the oldest insertion goes first when full). Device lists and group metadata are cached in it.
/// </summary>
internal sealed class ExpiringCache<TKey, TValue>
    where TKey : notnull
{
    private readonly Lock _gate = new();
    private readonly Dictionary<TKey, (TValue Value, DateTimeOffset Expires)> _entries = [];
    private readonly Queue<TKey> _order = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;
    private readonly int _capacity;

    public ExpiringCache(TimeProvider time, TimeSpan lifetime, int capacity)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _time = time;
        _lifetime = lifetime;
        _capacity = capacity;
    }

    /// <summary>The value under <paramref name="key"/>, unless missing or expired (an expired one is dropped).</summary>
    public bool TryGet(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var entry))
            {
                if (entry.Expires > _time.GetUtcNow())
                {
                    value = entry.Value;
                    return true;
                }

                _entries.Remove(key);
            }

            value = default;
            return false;
        }
    }

    /// <summary>Keeps <paramref name="value"/> under <paramref name="key"/> for the lifetime from now.</summary>
    public void Put(TKey key, TValue value)
    {
        lock (_gate)
        {
            if (!_entries.ContainsKey(key))
            {
                _order.Enqueue(key);
            }

            _entries[key] = (value, _time.GetUtcNow() + _lifetime);
            while (_entries.Count > _capacity && _order.TryDequeue(out var oldest))
            {
                _entries.Remove(oldest);
            }

            // Keys removed earlier linger in the queue; rebuild it when it grows well past the entries.
            if (_order.Count > 2 * _capacity)
            {
                var live = _order.Where(_entries.ContainsKey).Distinct().ToList();
                _order.Clear();
                live.ForEach(_order.Enqueue);
            }
        }
    }

    /// <summary>Drops every entry <paramref name="match"/> selects.</summary>
    public void RemoveWhere(Func<TKey, TValue, bool> match)
    {
        lock (_gate)
        {
            foreach (var key in _entries.Where(e => match(e.Key, e.Value.Value)).Select(e => e.Key).ToList())
            {
                _entries.Remove(key);
            }
        }
    }
}
