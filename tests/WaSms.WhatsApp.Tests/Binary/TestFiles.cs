namespace WaSms.WhatsApp.Tests.Binary;

/// <summary>Locates test inputs: copied vectors, and the source folder (for the npm oracle).</summary>
internal static class TestFiles
{
    public static string VectorPath(string name) => Path.Combine(AppContext.BaseDirectory, "Binary", "Vectors", name);

    /// <summary>tests/WaSms.WhatsApp.Tests in the source tree, found by walking up from the test binaries.</summary>
    public static string ProjectDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "WaSms.WhatsApp.Tests.csproj")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No WaSms.WhatsApp.Tests.csproj above {AppContext.BaseDirectory}.");
    }

    public static IEnumerable<(string Mode, string Hex, string Json, string Comment)> ReadVectors(string name)
    {
        string comment = string.Empty;
        foreach (string line in File.ReadLines(VectorPath(name)))
        {
            if (line.StartsWith('#'))
            {
                comment = line[1..].Trim();
                continue;
            }

            if (line.Length == 0)
            {
                continue;
            }

            string[] parts = line.Split(' ', 3);
            yield return (parts[0], parts[1], parts[2], comment);
        }
    }
}
