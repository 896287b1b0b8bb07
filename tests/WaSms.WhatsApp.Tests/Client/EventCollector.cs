using System.Threading.Channels;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Events;

namespace WaSms.WhatsApp.Tests.Client;

/// <summary>Records a client's events and lets a test wait for the next one of a type.</summary>
internal sealed class EventCollector
{
    private readonly Channel<WaEvent> _channel = Channel.CreateUnbounded<WaEvent>();
    private readonly List<WaEvent> _all = [];

    public EventCollector(WaClient client)
    {
        client.EventRaised += (_, e) =>
        {
            lock (_all)
            {
                _all.Add(e);
            }

            _channel.Writer.TryWrite(e);
        };
    }

    public IReadOnlyList<WaEvent> All
    {
        get
        {
            lock (_all)
            {
                return [.. _all];
            }
        }
    }

    public async Task<T> WaitForAsync<T>(TimeSpan? timeout = null)
        where T : WaEvent
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var e = await _channel.Reader.ReadAsync(cts.Token);
            if (e is T match)
            {
                return match;
            }
        }
    }
}
