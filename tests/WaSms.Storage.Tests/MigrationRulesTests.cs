using System.Text.RegularExpressions;

namespace WaSms.Storage.Tests;

/// <summary>
/// The rules every migration file keeps so a rollback still opens the store (docs/updates.md §7):
/// a <c>-- readable-by: N</c> marker, when there is one, is well-formed and at most the file's own
/// version; a step that drops or renames something declares one.
/// </summary>
public sealed partial class MigrationRulesTests
{
    [Fact]
    public void EveryMigration_HasNoMarker_OrAValidOne()
    {
        Assert.NotEmpty(Migration.All);
        foreach (var migration in Migration.All)
        {
            Assert.True(migration.ReadableBy is null || (migration.ReadableBy >= 1 && migration.ReadableBy <= migration.Version),
                $"{migration.Version:0000}-{migration.Name}: readable-by {migration.ReadableBy} is not between 1 and {migration.Version}");
        }
    }

    [Fact]
    public void EveryMigration_ThatDropsOrRenames_DeclaresReadableBy()
    {
        var undeclared = Migration.All
            .Where(m => m.ReadableBy is null && Destructive(m.Sql).Count > 0)
            .Select(m => $"{m.Version:0000}-{m.Name}: {string.Join(", ", Destructive(m.Sql))} without a \"-- readable-by: N\" header line")
            .ToList();

        Assert.True(undeclared.Count == 0,
            "A migration that drops or renames must say which firmware can still use the store (docs/updates.md §7):\n" + string.Join("\n", undeclared));
    }

    [Theory]
    [InlineData("DROP TABLE old_jobs;", "DROP TABLE")]
    [InlineData("drop   table if exists old_jobs;", "drop   table")]
    [InlineData("ALTER TABLE send_jobs DROP COLUMN priority;", "ALTER TABLE send_jobs DROP")]
    [InlineData("ALTER TABLE send_jobs DROP priority;", "ALTER TABLE send_jobs DROP")]
    [InlineData("ALTER TABLE send_jobs RENAME TO jobs;", "RENAME")]
    [InlineData("ALTER TABLE send_jobs RENAME COLUMN chat TO peer;", "RENAME")]
    [InlineData("DROP INDEX send_jobs_expiry;", "DROP INDEX")]
    public void Destructive_FindsDropsAndRenames(string sql, string found) =>
        Assert.Equal([found], Destructive(sql));

    [Theory]
    [InlineData("-- v11: we never DROP TABLE settings or RENAME anything\nCREATE TABLE t (dropped INTEGER, renamed TEXT) STRICT;")]
    [InlineData("ALTER TABLE send_jobs ADD COLUMN dropped_at INTEGER;")]
    [InlineData("CREATE INDEX drop_index_like ON send_jobs (chat);")]
    public void Destructive_IgnoresCommentsAndNames(string sql) => Assert.Empty(Destructive(sql));

    [Theory]
    [InlineData("-- readable-by: 11\nDROP TABLE t;", 11)]
    [InlineData("-- v11: what it does\n--   readable-by:   3  \nCREATE TABLE t (x INTEGER);", 3)]
    [InlineData("-- v11: what it does\nCREATE TABLE t (x INTEGER);\n-- readable-by: 11", null)] // not in the header
    public void Marker_IsReadFromTheHeaderOnly(string sql, int? expected) =>
        Assert.Equal(expected, new Migration(11, "t", sql).ReadableBy);

    [Theory]
    [InlineData("-- readable-by: 12\n", "readable-by 12 must be between 1 and its own version 11")]
    [InlineData("-- readable-by: 0\n", "readable-by 0 must be between 1 and its own version 11")]
    [InlineData("-- readable-by 10\n", "malformed marker \"-- readable-by 10\"")]
    [InlineData("-- Readable-By: ten\n", "malformed marker \"-- Readable-By: ten\"")]
    public void Marker_Invalid_SaysWhatIsWrong(string sql, string message)
    {
        var error = Assert.Throws<StoreException>(() => new Migration(11, "t", sql + "CREATE TABLE t (x INTEGER);"));
        Assert.Equal($"Migration 0011-t: {message}" + (message.StartsWith("malformed", StringComparison.Ordinal) ? " (expected \"-- readable-by: N\")" : ""), error.Message);
    }

    [Fact]
    public void ReadableByAt_IsTheHighestMarkerSoFar()
    {
        IReadOnlyList<Migration> list =
        [
            new(1, "a", "CREATE TABLE a (x INTEGER);"),
            new(2, "b", "-- readable-by: 2\nDROP TABLE a;"),
            new(3, "c", "CREATE TABLE c (x INTEGER);"),
        ];

        Assert.Equal([1, 2, 2], [Migration.ReadableByAt(list, 1), Migration.ReadableByAt(list, 2), Migration.ReadableByAt(list, 3)]);
    }

    /// <summary>The drops and renames in <paramref name="sql"/>, comments left out.</summary>
    private static List<string> Destructive(string sql) =>
        [.. DestructiveStatement().Matches(Comment().Replace(sql, "")).Select(m => m.Value)];

    [GeneratedRegex(@"--[^\n]*")]
    private static partial Regex Comment();

    [GeneratedRegex(@"\bDROP\s+(?:TABLE|INDEX|VIEW|TRIGGER)\b|\bALTER\s+TABLE\s+\S+\s+DROP\b|\bRENAME\b", RegexOptions.IgnoreCase)]
    private static partial Regex DestructiveStatement();
}
