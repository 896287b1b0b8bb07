using System.Threading.Channels;

namespace WaSms.Core.Liveness;

public static class ChannelWait
{
    /// <summary>
    /// Waits until <paramref name="reader"/> has data or <paramref name="timeout"/> passes on
    /// <paramref name="time"/>'s clock, so a critical loop wakes up regularly to prove it is alive.
    /// </summary>
    /// <returns>True when data is ready, false on timeout; false also when the channel completed.</returns>
    public static async Task<bool> WaitToReadAsync<T>(this ChannelReader<T> reader, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        using var timeoutSource = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            return await reader.WaitToReadAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
