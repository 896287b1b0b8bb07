using System.Runtime.InteropServices;

namespace WaSms.Gateway.Hosting;

internal static partial class NativeMethods
{
    /// <summary>Files the service creates (database, sockets, frames) are for the service user only.</summary>
    [LibraryImport("libc", EntryPoint = "umask")]
    internal static partial uint SetUmask(uint mask);

    internal const int AtFdCwd = -100;
    internal const uint StatxBasicStats = 0x7ff;

    /// <summary>statx(2) into a buffer of <c>sizeof(struct statx)</c>.</summary>
    internal static int Statx(int dirfd, string path, int flags, uint mask, out byte[] buffer)
    {
        buffer = new byte[256]; // sizeof(struct statx)
        return StatxNative(dirfd, path, flags, mask, buffer);
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int StatxNative(int dirfd, string path, int flags, uint mask, [Out] byte[] buffer);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    internal static partial uint GetEuid();

    /// <summary>
    /// glibc's malloc_trim(3): returns the free memory at the top of the heap and in the arenas' free
    /// pages to the OS. The C heap (SQLite, OpenSSL) keeps what a burst freed otherwise. Not in musl.
    /// </summary>
    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    internal static partial int MallocTrim(nuint pad);
}
