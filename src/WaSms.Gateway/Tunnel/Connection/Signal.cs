namespace WaSms.Gateway.Tunnel.Connection;

/// <summary>A level-free wake-up: <see cref="Next"/> completes at the first <see cref="Pulse"/> after it was read.</summary>
public sealed class Signal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Next => Volatile.Read(ref _next).Task;

    public void Pulse() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
