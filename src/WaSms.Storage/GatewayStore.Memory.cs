using SQLitePCL;

namespace WaSms.Storage;

/// <summary>The connection's share of the process's memory: its page cache, handed back after a burst.</summary>
public sealed partial class GatewayStore
{
    // sqlite3.h: SQLITE_DBSTATUS_CACHE_USED, the heap the connection's page cache holds now.
    private const int DbStatusCacheUsed = 1;

    /// <summary>
    /// Bytes of heap the connection's page cache holds now (<c>sqlite3_db_status(SQLITE_DBSTATUS_CACHE_USED)</c>,
    /// https://www.sqlite.org/c3ref/c_dbstatus_options.html). It grows up to <c>cache_size</c> (2 MB by
    /// default) as pages are read and written and stays there until <see cref="ShrinkMemoryAsync"/>.
    /// </summary>
    public async Task<long> CacheUsedBytesAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return CacheUsedBytes();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Frees every page of the connection's cache that it can (<c>PRAGMA shrink_memory</c>,
    /// https://www.sqlite.org/pragma.html#pragma_shrink_memory): after a burst (an offline backlog) the
    /// cache is full of pages nothing reads again soon. Nothing is lost: committed pages are on disk,
    /// and the next query reads what it needs. Returns the bytes the cache held before.
    /// </summary>
    public async Task<long> ShrinkMemoryAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var before = CacheUsedBytes();
            await ExecuteAsync("PRAGMA shrink_memory;", cancellationToken);
            return before;
        }
        finally
        {
            _gate.Release();
        }
    }

    private long CacheUsedBytes()
    {
        var rc = raw.sqlite3_db_status(_connection.Handle, DbStatusCacheUsed, out var current, out _, 0);
        return rc == raw.SQLITE_OK ? current : -1;
    }
}
