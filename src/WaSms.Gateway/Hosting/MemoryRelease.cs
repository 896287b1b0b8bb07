using Microsoft.Extensions.Logging;
using WaSms.Storage;

namespace WaSms.Gateway.Hosting;

/// <summary>
/// Hands the memory of a one-off burst back to the OS, so the idle process is as small as before it:
/// the GC keeps a heap it grew (it expects the load to come back), SQLite keeps a full page cache, and
/// glibc keeps freed C heap in its arenas. After an offline backlog (thousands of messages decrypted,
/// stored and receipted) that was ~16 MB of RSS kept for the life of the process (docs/performance.md).
/// Runs: after a new link's prekey upload, and after an offline backlog of at least <see cref="BacklogThreshold"/> stanzas.
/// </summary>
public sealed class MemoryRelease(GatewayStore store, ILogger<MemoryRelease> log)
{
    /// <summary>
    /// Stanzas in an offline backlog from which its memory is released: the inbound queue holds 256
    /// nodes (Client/InboundQueue.cs), so a smaller backlog never filled it; a compacting GC of a
    /// ~30 MB heap costs a few tens of milliseconds, once per reconnect at most.
    /// </summary>
    public const int BacklogThreshold = 256;

    private int _releases;
    private string? _last;

    /// <summary>How many times memory was released since start.</summary>
    public int Releases => Volatile.Read(ref _releases);

    /// <summary>What the last release came after (as logged), or null before the first.</summary>
    public string? LastReleasedAfter => Volatile.Read(ref _last);

    /// <summary>
    /// Shrinks SQLite's page cache, runs a blocking compacting GC that decommits the free heap, and trims the C heap.
    /// Never throws: a failure leaves the memory where it was, and is logged.
    /// </summary>
    /// <param name="after">What the burst was, for the log ("an offline backlog of 10000 stanzas").</param>
    public async Task ReleaseAsync(string after, CancellationToken cancellationToken)
    {
        try
        {
            var heapBefore = GC.GetGCMemoryInfo().TotalCommittedBytes;
            var cache = await store.ShrinkMemoryAsync(cancellationToken);
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            var trimmed = TrimCHeap();
            Volatile.Write(ref _last, after);
            Interlocked.Increment(ref _releases);
            log.LogInformation("Released memory after {After}: GC heap committed {BeforeKb} KB -> {AfterKb} KB, SQLite page cache of {CacheKb} KB freed, C heap {Trimmed}",
                after, heapBefore / 1024, GC.GetGCMemoryInfo().TotalCommittedBytes / 1024, cache / 1024, trimmed ? "trimmed" : "unchanged");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            log.LogWarning("Releasing memory after {After} failed: {Error}", after, ex.Message);
        }
    }

    /// <returns>True when glibc gave memory back (malloc_trim's 1); false when there was none to give or no malloc_trim (musl).</returns>
    private static bool TrimCHeap()
    {
        try
        {
            return NativeMethods.MallocTrim(0) == 1;
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }

}
