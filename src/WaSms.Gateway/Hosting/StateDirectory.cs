using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace WaSms.Gateway.Hosting;

/// <summary>
/// Checks the state directory before the service writes anything to it. A missing directory is
/// created 0700. An existing one is used as it is — its mode is never changed (a shared directory
/// taken over would lock its other users out) — and refused when another user owns it or can write
/// to it: secrets and the control socket live there, and a writable directory lets anyone replace
/// them.
/// </summary>
internal static class StateDirectory
{
    /// <summary>Creates the directory if needed and checks it.</summary>
    /// <returns>Null when the directory is usable, otherwise what is wrong (one line, for "invalid configuration").</returns>
    public static string? Prepare(string path)
    {
        if (File.Exists(path))
        {
            return "is a file, not a directory";
        }
        if (!Directory.Exists(path))
        {
            try
            {
                Storage.GatewayStore.CreateStateDirectory(path);
            }
            catch (Storage.StoreException ex)
            {
                return $"cannot be created ({ex.InnerException?.Message ?? ex.Message})";
            }
        }
        if (NativeMethods.Statx(NativeMethods.AtFdCwd, path, 0, NativeMethods.StatxBasicStats, out var stat) != 0)
        {
            return $"cannot be examined (errno {Marshal.GetLastPInvokeError()})";
        }
        // struct statx has one layout on every architecture (include/uapi/linux/stat.h): stx_uid at 20, stx_mode at 28.
        var uid = BinaryPrimitives.ReadUInt32LittleEndian(stat.AsSpan(20));
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(stat.AsSpan(28));
        var self = NativeMethods.GetEuid();
        if (uid != self)
        {
            return $"belongs to another user (uid {uid}, the gateway runs as uid {self}); give the gateway a directory of its own";
        }
        if ((mode & 0x12) != 0) // S_IWGRP | S_IWOTH
        {
            return $"can be written by other users (mode {Convert.ToString(mode & 0xFFF, 8).PadLeft(4, '0')}); " +
                   "use a directory only the gateway's user can write to (chmod 700 it, or name a new one: the gateway creates it 0700)";
        }
        if (!IsWritable(path))
        {
            return "is not writable for this user";
        }
        return null;
    }

    /// <summary>
    /// True when this process can create a file in <paramref name="directory"/>. Tried, not asked:
    /// access(2) says yes to root for any directory, /proc included.
    /// </summary>
    public static bool IsWritable(string directory)
    {
        try
        {
            using var probe = new FileStream(Path.Combine(directory, $".wasms-gateway-probe-{Environment.ProcessId}"),
                FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
