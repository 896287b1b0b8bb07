using System.Runtime.InteropServices;

namespace WaSms.Gateway.Hosting;

internal static partial class NativeMethods
{
    /// <summary>Files the service creates (database, sockets, frames) are for the service user only.</summary>
    [LibraryImport("libc", EntryPoint = "umask")]
    internal static partial uint SetUmask(uint mask);
}
