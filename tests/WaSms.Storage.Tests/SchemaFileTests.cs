using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace WaSms.Storage.Tests;

/// <summary>
/// docs/schema.sql is the whole schema a fresh database has after every
/// migration, so a reader sees it in one file; this test keeps it true.
/// </summary>
public sealed partial class SchemaFileTests : IDisposable
{
    private const string SchemaFile = "docs/schema.sql";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task SchemaFile_IsWhatTheMigrationsMake()
    {
        string path;
        await using (var store = await GatewayStore.OpenAsync(_dir.Path, TimeProvider.System, NullLogger.Instance, CancellationToken.None))
        {
            Assert.Equal(Migration.LatestVersion, store.SchemaVersion);
            path = store.Path;
        }
        var migrated = await ReadSchemaAsync(path);
        var written = Statements(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "schema.sql")));

        var problems = Compare(written, Statements(migrated));

        if (problems.Count > 0)
        {
            var actual = Path.Combine(Path.GetTempPath(), "wasms-schema-" + Guid.NewGuid().ToString("N")[..8] + ".sql");
            await File.WriteAllTextAsync(actual, Header + migrated);
            Assert.Fail($"{SchemaFile} differs from a freshly migrated database:\n{string.Join("\n", problems)}\n\n"
                + $"The migrated schema is written to {actual}; if the change is meant, copy it over {SchemaFile} (keeping its comments).");
        }
    }

    [Fact]
    public void Statements_IgnoreCommentsAndLayout_ButNotNames()
    {
        var a = Statements("-- a comment\nCREATE TABLE t (\n    a   INTEGER, -- why\n    b TEXT\n) STRICT;\n");
        var b = Statements("CREATE TABLE t (a INTEGER, b TEXT) STRICT;");
        var c = Statements("CREATE TABLE t (a INTEGER, c TEXT) STRICT;");

        Assert.Empty(Compare(a, b));
        Assert.Equal(["differs: table t", "  schema.sql: CREATE TABLE t (a INTEGER, b TEXT) STRICT", "  migrated:   CREATE TABLE t (a INTEGER, c TEXT) STRICT"], Compare(b, c));
    }

    private const string Header =
        "-- The gateway database's whole schema after the latest migration, for reading. Devices never run\n" +
        "-- this file: fresh and old databases alike get the numbered NNNN-*.sql files in order. SchemaFileTests\n" +
        "-- compares it with a freshly migrated database (sqlite_schema and the two header pragmas).\n";

    /// <summary>The schema of the database at <paramref name="path"/> as SQL text: header pragmas, then every object in creation order.</summary>
    private static async Task<string> ReadSchemaAsync(string path)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync();
        var text = new StringBuilder();
        foreach (var pragma in new[] { "application_id", "user_version" })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA {pragma};";
            var value = (long)(await command.ExecuteScalarAsync())!;
            text.Append(CultureInfo.InvariantCulture, $"PRAGMA {pragma} = {value};\n");
        }
        await using (var command = connection.CreateCommand())
        {
            // Internal objects (sqlite_sequence, automatic indexes) come with the statements that make them.
            command.CommandText = "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid;";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                text.Append('\n').Append(reader.GetString(0)).Append(";\n");
            }
        }
        return text.ToString();
    }

    /// <summary>Each statement of <paramref name="sql"/> by what it makes ("table settings"), without comments and with single spaces.</summary>
    private static Dictionary<string, string> Statements(string sql)
    {
        var withoutComments = Comment().Replace(sql, "");
        var statements = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var statement in withoutComments.Split(';'))
        {
            var text = Whitespace().Replace(statement, " ").Trim();
            text = SpaceInsideParentheses().Replace(text, "");
            if (text.Length == 0)
            {
                continue;
            }
            var subject = Subject().Match(text);
            var key = !subject.Success ? text
                : subject.Groups[3].Success ? $"pragma {subject.Groups[3].Value}"
                : $"{subject.Groups[1].Value.ToLowerInvariant()} {subject.Groups[2].Value}";
            statements[key] = text;
        }
        return statements;
    }

    /// <summary>What one side has and the other lacks or has differently, one line each, in a stable order.</summary>
    private static List<string> Compare(Dictionary<string, string> written, Dictionary<string, string> migrated)
    {
        var problems = new List<string>();
        foreach (var key in written.Keys.Union(migrated.Keys).Order(StringComparer.Ordinal))
        {
            var inFile = written.GetValueOrDefault(key);
            var inDatabase = migrated.GetValueOrDefault(key);
            if (inFile == inDatabase)
            {
                continue;
            }
            if (inFile is null)
            {
                problems.Add($"missing from schema.sql: {inDatabase}");
            }
            else if (inDatabase is null)
            {
                problems.Add($"not in the migrated database: {inFile}");
            }
            else
            {
                problems.Add($"differs: {key}");
                problems.Add($"  schema.sql: {inFile}");
                problems.Add($"  migrated:   {inDatabase}");
            }
        }
        return problems;
    }

    [GeneratedRegex(@"--[^\n]*")]
    private static partial Regex Comment();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"(?<=\() | (?=[),])")]
    private static partial Regex SpaceInsideParentheses();

    [GeneratedRegex(@"^(?:CREATE (?:UNIQUE )?(TABLE|INDEX|VIEW|TRIGGER) (?:IF NOT EXISTS )?(\S+)|PRAGMA (\w+))", RegexOptions.IgnoreCase)]
    private static partial Regex Subject();
}
