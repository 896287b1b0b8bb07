using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace WaSms.Gateway.Provisioning;

/// <summary>
/// Writes files below a root directory (<c>/</c> on the gateway, a temporary directory in tests) with
/// an owner and mode, atomically (temp file + rename) and only when the content changes. Owners are
/// looked up in the root's own <c>etc/passwd</c> and <c>etc/group</c>.
/// </summary>
internal sealed partial class TargetFiles(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>The path of an absolute target path (<c>/etc/hostname</c>) under the root.</summary>
    public string PathOf(string target) => Path.Combine(Root, target.TrimStart('/'));

    public string? ReadOrNull(string target) => File.Exists(PathOf(target)) ? File.ReadAllText(PathOf(target)) : null;

    /// <summary>Writes the file unless it already holds exactly this content; true when written.</summary>
    /// <exception cref="IOException">The file, its owner or mode could not be set.</exception>
    public bool Write(string target, string content, UnixFileMode mode, string user = "root", string group = "root")
    {
        var path = PathOf(target);
        var (uid, gid) = (UserId(user), GroupId(group));
        if (File.Exists(path) && File.ReadAllText(path) == content && File.GetUnixFileMode(path) == mode)
        {
            Chown(path, uid, gid);
            return false;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".provision-tmp";
        // The mode is set before any byte is written, so a secret is never readable by others.
        using (var stream = new FileStream(temp, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = mode }))
        {
            File.SetUnixFileMode(temp, mode);
            Chown(temp, uid, gid);
            var bytes = Encoding.UTF8.GetBytes(content);
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        return true;
    }

    /// <summary>Creates the directory (and parents) and sets its owner and mode.</summary>
    public void EnsureDirectory(string target, UnixFileMode mode, string user = "root", string group = "root")
    {
        var path = PathOf(target);
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, mode);
        Chown(path, UserId(user), GroupId(group));
    }

    /// <summary>Points the symlink at <paramref name="destination"/> (as seen on the gateway, not under the root).</summary>
    public void Symlink(string target, string destination)
    {
        var path = PathOf(target);
        var existing = new FileInfo(path);
        if (existing.LinkTarget == destination)
        {
            return;
        }
        var temp = path + ".provision-tmp";
        File.Delete(temp);
        File.CreateSymbolicLink(temp, destination);
        File.Move(temp, path, overwrite: true);
    }

    public int UserId(string name) => Lookup("etc/passwd", name);

    public int GroupId(string name) => Lookup("etc/group", name);

    private int Lookup(string database, string name)
    {
        var path = Path.Combine(Root, database);
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path))
            {
                var fields = line.Split(':');
                if (fields.Length >= 3 && fields[0] == name && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                {
                    return id;
                }
            }
        }
        throw new IOException($"\"{name}\" is not in {path}");
    }

    private static void Chown(string path, int uid, int gid)
    {
        if (NativeMethods.Lchown(path, uid, gid) != 0)
        {
            throw new IOException($"cannot give {path} to {uid}:{gid} (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    private static partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "lchown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int Lchown(string path, int owner, int group);
    }
}
