using System.Threading.Channels;

namespace WaSms.Testing;

/// <summary>
/// Keeps every event a component raised, in order, and lets a test wait for the next one that
/// matches. Thread-safe: components raise events on their own threads.
/// </summary>
/// <param name="name">What an event is called in a timeout message ("notification"); the type's name when null.</param>
/// <param name="describe">How an event reads in a timeout message; <c>ToString</c> when null.</param>
public sealed class EventCollector<T>(string? name = null, Func<T, string>? describe = null)
{
    private readonly Channel<T> _pending = Channel.CreateUnbounded<T>();
    private readonly List<T> _all = [];

    /// <summary>Every event so far, in order.</summary>
    public IReadOnlyList<T> All
    {
        get
        {
            lock (_all)
            {
                return [.. _all];
            }
        }
    }

    /// <summary>Records <paramref name="item"/>; use as (or from) the component's event handler.</summary>
    public void Add(T item)
    {
        lock (_all)
        {
            _all.Add(item);
        }
        _pending.Writer.TryWrite(item);
    }

    /// <summary>
    /// The next event not yet waited for that satisfies <paramref name="match"/>, skipping others.
    /// Throws a <see cref="TimeoutException"/> listing every event seen when none comes in time.
    /// </summary>
    public async Task<T> WaitForAsync(Func<T, bool> match, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(match);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var item = await _pending.Reader.ReadAsync(cts.Token);
                if (match(item))
                {
                    return item;
                }
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            var seen = All.Select(e => describe is null ? e?.ToString() : describe(e));
            throw new TimeoutException($"no matching {name ?? typeof(T).Name} within {timeout}; got: {string.Join(" | ", seen)}");
        }
    }

    /// <summary>The next event of type <typeparamref name="TMatch"/>.</summary>
    public async Task<TMatch> WaitForAsync<TMatch>(TimeSpan timeout)
        where TMatch : T => (TMatch)(await WaitForAsync(e => e is TMatch, timeout))!;
}
