using WaSms.Testing;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Events;

namespace WaSms.WhatsApp.Tests.Client;

/// <summary>Records a client's events and lets a test wait for the next one of a type.</summary>
internal sealed class EventCollector
{
    private readonly EventCollector<WaEvent> _events = new();

    public EventCollector(WaClient client) => client.EventRaised += (_, e) => _events.Add(e);

    public IReadOnlyList<WaEvent> All => _events.All;

    public Task<T> WaitForAsync<T>(TimeSpan? timeout = null)
        where T : WaEvent => _events.WaitForAsync<T>(timeout ?? TimeSpan.FromSeconds(15));

    /// <summary>The first event of type <typeparamref name="T"/> (recorded so far or later) that matches.</summary>
    public async Task<T> WaitForAsync<T>(Func<T, bool> match, TimeSpan? timeout = null)
        where T : WaEvent =>
        // An event already taken by an earlier wait is in All; one not taken yet is still in the queue.
        All.OfType<T>().FirstOrDefault(match) ?? (T)await _events.WaitForAsync(e => e is T t && match(t), timeout ?? TimeSpan.FromSeconds(15));
}
