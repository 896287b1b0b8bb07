using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace WaSms.Storage;

/// <summary>
/// One numbered, append-only schema step embedded from <c>Migrations/NNNN-what.sql</c>. A header
/// comment line <c>-- readable-by: N</c> says that firmware whose latest migration is below N must
/// not open a store this step has run on (docs/updates.md §7); without it the step is additive and
/// whatever firmware could use the store before can still use it after.
/// </summary>
public sealed partial record Migration(int Version, string Name, string Sql)
{
    /// <summary>Every embedded migration, in version order.</summary>
    public static IReadOnlyList<Migration> All { get; } = Load();

    public static int LatestVersion => All[^1].Version;

    /// <summary>The <c>-- readable-by: N</c> of the file's header comment, or null when it declares none.</summary>
    /// <exception cref="StoreException">The marker is malformed, below 1 or above <see cref="Version"/>.</exception>
    public int? ReadableBy { get; } = ParseReadableBy(Version, Name, Sql);

    /// <summary>
    /// The oldest schema version a firmware must know to use a store migrated to <paramref name="version"/>
    /// by <paramref name="migrations"/>: the highest marker up to it (1 when none declares one), since an
    /// additive step keeps every reader the store had.
    /// </summary>
    public static int ReadableByAt(IReadOnlyList<Migration> migrations, int version) =>
        migrations.Where(m => m.Version <= version).Select(m => m.ReadableBy ?? 1).DefaultIfEmpty(1).Max();

    /// <summary>Checks that <paramref name="migrations"/> are numbered 1..n without gaps, in order.</summary>
    /// <exception cref="StoreException">A number is missing, repeated or out of order.</exception>
    internal static void CheckNumbering(IReadOnlyList<Migration> migrations)
    {
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new StoreException($"Migrations must be numbered 1..n without gaps; found {migrations[i].Version} at position {i + 1}");
            }
        }
    }

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
            list.Add(new Migration(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Value, reader.ReadToEnd()));
        }
        list.Sort((a, b) => a.Version.CompareTo(b.Version));
        CheckNumbering(list);
        return list;
    }

    private static int? ParseReadableBy(int version, string name, string sql)
    {
        // Only the header: the comment lines before the first statement.
        foreach (var line in sql.Split('\n').Select(l => l.Trim()).TakeWhile(l => l.Length == 0 || l.StartsWith("--", StringComparison.Ordinal)))
        {
            if (!MarkerMention().IsMatch(line))
            {
                continue;
            }
            var marker = Marker().Match(line);
            if (!marker.Success || !int.TryParse(marker.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var readableBy))
            {
                throw new StoreException($"Migration {version:0000}-{name}: malformed marker \"{line}\" (expected \"-- readable-by: N\")");
            }
            if (readableBy < 1 || readableBy > version)
            {
                throw new StoreException($"Migration {version:0000}-{name}: readable-by {readableBy} must be between 1 and its own version {version}");
            }
            return readableBy;
        }
        return null;
    }

    [GeneratedRegex(@"^Migrations/(\d{4})-(.+)\.sql$")]
    private static partial Regex FileName();

    [GeneratedRegex(@"^--\s*readable[-_ ]?by\b", RegexOptions.IgnoreCase)]
    private static partial Regex MarkerMention();

    [GeneratedRegex(@"^--\s*readable-by:\s*(\d{1,9})\s*$")]
    private static partial Regex Marker();
}
