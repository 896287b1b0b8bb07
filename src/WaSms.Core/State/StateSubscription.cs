using System.Threading.Channels;

namespace WaSms.Core.State;

/// <summary>An observer's view of the state machine: the snapshots, newest last.</summary>
public sealed class StateSubscription(ChannelReader<GatewaySnapshot> reader, Action unsubscribe) : IDisposable
{
    private int _disposed;

    public ChannelReader<GatewaySnapshot> Reader => reader;

    /// <summary>Waits for the next snapshot and skips any that are already stale.</summary>
    public async ValueTask<GatewaySnapshot> NextAsync(CancellationToken cancellationToken)
    {
        var snapshot = await reader.ReadAsync(cancellationToken);
        while (reader.TryRead(out var newer))
        {
            snapshot = newer;
        }
        return snapshot;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            unsubscribe();
        }
    }
}
