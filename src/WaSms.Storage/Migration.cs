using System.Reflection;
using System.Text.RegularExpressions;

namespace WaSms.Storage;

/// <summary>One numbered, append-only schema step embedded from <c>Migrations/NNNN-what.sql</c>.</summary>
public sealed partial record Migration(int Version, string Name, string Sql)
{
    /// <summary>Every embedded migration, in version order.</summary>
    public static IReadOnlyList<Migration> All { get; } = Load();

    public static int LatestVersion => All[^1].Version;

    private static List<Migration> Load()
    {
        var assembly = typeof(Migration).Assembly;
        var list = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var match = FileName().Match(resource);
            if (!match.Success)
            {
                continue;
            }
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            list.Add(new Migration(int.Parse(match.Groups[1].Value), match.Groups[2].Value, reader.ReadToEnd()));
        }
        list.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].Version != i + 1)
            {
                throw new StoreException($"Migrations must be numbered 1..n without gaps; found {list[i].Version} at position {i + 1}");
            }
        }
        return list;
    }

    [GeneratedRegex(@"^Migrations/(\d{4})-(.+)\.sql$")]
    private static partial Regex FileName();
}
