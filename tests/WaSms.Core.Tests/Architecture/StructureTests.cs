namespace WaSms.Core.Tests.Architecture;

/// <summary>
/// Checks that keep the source tree easy to see (issue 10): folders (namespaces, which follow
/// folders) import each other one way only, and no file grows past what reads in one go.
/// </summary>
public sealed class StructureTests
{
    /// <summary>Hand-written files stay under this many lines; split by concern beyond it.</summary>
    private const int MaxLines = 400;

    [Fact]
    public void Folders_ImportEachOtherWithoutCycles()
    {
        var files = SourceTree.CSharpFiles().Select(path => (Path: path, Text: File.ReadAllText(path))).ToList();
        var declared = files.Select(f => SourceTree.Namespace(f.Text)).OfType<string>().ToHashSet(StringComparer.Ordinal);
        Assert.Contains("WaSms.Core.State", declared); // the scan found the tree

        // folder -> folders it imports, with one file per edge to name in the message
        var edges = new SortedDictionary<string, SortedDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (path, text) in files)
        {
            if (SourceTree.Namespace(text) is not { } from)
            {
                continue;
            }
            foreach (var imported in SourceTree.Imports(text))
            {
                if (DeclaringNamespace(imported, declared) is { } to && to != from)
                {
                    var targets = edges.TryGetValue(from, out var t) ? t : edges[from] = new(StringComparer.Ordinal);
                    targets.TryAdd(to, SourceTree.Relative(path));
                }
            }
        }

        var cycles = StronglyConnected(edges).Where(component => component.Count > 1).ToList();
        Assert.True(cycles.Count == 0, string.Join(Environment.NewLine, cycles.Select(component =>
            "folders in a cycle: " + string.Join(", ", component) + Environment.NewLine + string.Concat(
                from source in component
                from edge in edges.GetValueOrDefault(source) ?? []
                where component.Contains(edge.Key)
                select $"  {source} -> {edge.Key} ({edge.Value}){Environment.NewLine}"))));
    }

    [Fact]
    public void SourceFiles_AreAtMost400Lines()
    {
        var files = SourceTree.CSharpFiles().ToList();
        Assert.NotEmpty(files);
        var tooLong = files
            .Select(path => (Path: SourceTree.Relative(path), Lines: File.ReadLines(path).Count()))
            .Where(file => file.Lines > MaxLines)
            .Select(file => $"{file.Path}: {file.Lines} lines")
            .ToList();
        Assert.True(tooLong.Count == 0, $"files over {MaxLines} lines (split them by concern):{Environment.NewLine}{string.Join(Environment.NewLine, tooLong)}");
    }

    /// <summary>The namespace of an imported name: itself, or for a type (static/alias using) the longest declared prefix.</summary>
    private static string? DeclaringNamespace(string imported, HashSet<string> declared)
    {
        for (var name = imported; name.Length > 0; name = name.Contains('.', StringComparison.Ordinal) ? name[..name.LastIndexOf('.')] : "")
        {
            if (declared.Contains(name))
            {
                return name;
            }
        }
        return null;
    }

    /// <summary>Tarjan's strongly connected components; each component lists its folders in order.</summary>
    private static List<List<string>> StronglyConnected(SortedDictionary<string, SortedDictionary<string, string>> edges)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var components = new List<List<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in edges.GetValueOrDefault(node)?.Keys ?? Enumerable.Empty<string>())
            {
                if (!index.TryGetValue(next, out var nextIndex))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], nextIndex);
                }
            }
            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);
                component.Sort(StringComparer.Ordinal);
                components.Add(component);
            }
        }

        foreach (var node in edges.Keys)
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }
        return components;
    }
}
