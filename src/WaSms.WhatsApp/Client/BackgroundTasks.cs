using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace WaSms.WhatsApp.Client;

/// <summary>
/// The work a connection starts off its receive loop (QR rotation, keepalive, the steps after
/// login, a pair-code finish, a prekey top-up): each task is awaited here, so a failure is logged
/// instead of surfacing as an unobserved task exception, and <see cref="DisposeAsync"/> waits for
/// the ones still running, up to a bound, before the connection's socket goes away.
/// </summary>
internal sealed class BackgroundTasks : IAsyncDisposable
{
    /// <summary>How long shutdown waits: every task stops on the connection's cancellation, so this is only a guard.</summary>
    public static readonly TimeSpan DefaultShutdownWait = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<long, Task> _running = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _shutdownWait;
    private long _nextId;
    private volatile bool _gaveUp;

    public BackgroundTasks(TimeProvider time, ILogger logger, TimeSpan? shutdownWait = null)
    {
        _time = time;
        _logger = logger;
        _shutdownWait = shutdownWait ?? DefaultShutdownWait;
    }

    /// <summary>How many tasks are still running.</summary>
    public int Count => _running.Count;

    /// <summary>
    /// Starts <paramref name="work"/> on the caller's thread (it runs synchronously up to its first
    /// await, as a discarded call did, so events keep their order) and keeps track of it.
    /// </summary>
    public void Run(string name, Func<Task> work)
    {
        Task task;
        try
        {
            task = work();
        }
        catch (Exception ex)
        {
            task = Task.FromException(ex);
        }

        var id = Interlocked.Increment(ref _nextId);
        var observed = ObserveAsync(name, task);
        _running[id] = observed;
        // Registered after the entry was added, so it removes it however fast the task finishes
        // (ObserveAsync never faults: it logs and swallows).
        _ = observed.ContinueWith(_ => _running.TryRemove(id, out Task? _), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Waits for the running tasks, at most the shutdown bound; a task still running after it is logged and left.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_gaveUp)
        {
            return; // waited the whole bound once already; a second shutdown path does not wait again
        }

        var deadline = _time.GetUtcNow() + _shutdownWait;
        while (!_running.IsEmpty)
        {
            var left = deadline - _time.GetUtcNow();
            var all = Task.WhenAll(_running.Values);
            try
            {
                await all.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, _time);
            }
            catch (TimeoutException)
            {
                _logger.LogWarning("{Count} background task(s) of the WhatsApp connection still running after {Wait}; not waiting longer", _running.Count, _shutdownWait);
                _gaveUp = true;
                return;
            }
        }
    }

    private async Task ObserveAsync(string name, Task task)
    {
        try
        {
            await task;
        }
        catch (OperationCanceledException)
        {
            // Stopped with its connection.
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "WhatsApp background task {Task} failed", name);
        }
    }
}
