using System.Text.RegularExpressions;

namespace WaSms.Gateway.Tests.Tunnel;

/// <summary>The JSON frames written in docs/tunnel.md: every line of a <c>```json</c> block and every inline <c>`{"type":…}`</c>.</summary>
internal static partial class TunnelDoc
{
    public static string Path { get; } = FindDoc();

    public static IReadOnlyList<string> Examples()
    {
        var text = File.ReadAllText(Path);
        var examples = new List<string>();
        foreach (Match block in JsonBlock().Matches(text))
        {
            examples.AddRange(block.Groups[1].Value.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));
        }
        examples.AddRange(InlineFrame().Matches(text).Select(m => m.Groups[1].Value));
        return examples;
    }

    private static string FindDoc()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var doc = System.IO.Path.Combine(dir.FullName, "docs", "tunnel.md");
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "WaSms.Appliance.sln")) && File.Exists(doc))
            {
                return doc;
            }
        }
        throw new InvalidOperationException("docs/tunnel.md not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"```json\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();

    [GeneratedRegex(@"`(\{""type"":[^`]*\})`")]
    private static partial Regex InlineFrame();
}
