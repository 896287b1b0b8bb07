using System.Buffers.Binary;

namespace WaSms.Testing;

/// <summary>
/// Searches every file of a directory (the database, its -wal and -shm, anything else) for secret
/// byte strings, the way someone holding the SD card would. The Storage and Gateway tests use it.
/// </summary>
public static class FileScan
{
    /// <summary>Each secret found, as "name in file@offset"; empty when none is anywhere.</summary>
    /// <param name="secrets">Byte strings of at least 8 bytes.</param>
    public static List<string> Find(string directory, IReadOnlyCollection<(string Name, byte[] Value)> secrets)
    {
        // Index by the first 8 bytes so each file is read once, whatever the number of secrets.
        var byPrefix = new Dictionary<ulong, List<(string Name, byte[] Value)>>();
        foreach (var secret in secrets)
        {
            if (secret.Value.Length < 8)
            {
                throw new ArgumentException($"{secret.Name} is shorter than 8 bytes", nameof(secrets));
            }
            var prefix = BinaryPrimitives.ReadUInt64LittleEndian(secret.Value);
            if (!byPrefix.TryGetValue(prefix, out var list))
            {
                byPrefix[prefix] = list = [];
            }
            list.Add(secret);
        }

        var found = new List<string>();
        foreach (var path in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            if (path.EndsWith(".sock", StringComparison.Ordinal))
            {
                continue; // a unix socket has no content
            }
            var bytes = File.ReadAllBytes(path);
            for (var i = 0; i + 8 <= bytes.Length; i++)
            {
                if (!byPrefix.TryGetValue(BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(i)), out var candidates))
                {
                    continue;
                }
                foreach (var (name, value) in candidates)
                {
                    if (bytes.AsSpan(i).StartsWith(value))
                    {
                        found.Add($"{name} in {Path.GetRelativePath(directory, path)}@{i}");
                    }
                }
            }
        }
        return found;
    }

    /// <summary>The names of <paramref name="secrets"/> that appear nowhere in <paramref name="directory"/>.</summary>
    public static List<string> Missing(string directory, IReadOnlyCollection<(string Name, byte[] Value)> secrets)
    {
        var found = Find(directory, secrets).Select(f => f[..f.IndexOf(" in ", StringComparison.Ordinal)]).ToHashSet(StringComparer.Ordinal);
        return [.. secrets.Select(s => s.Name).Where(n => !found.Contains(n))];
    }
}
