namespace WaSms.Gateway.Simulator;

/// <summary>The page's files (Assets/), embedded in the binary: no files on disk, no front-end build step.</summary>
internal sealed class SimulatorAssets
{
    private static readonly string[] Names = ["index.html", "app.js", "style.css"];
    private readonly Dictionary<string, byte[]> _files;

    private SimulatorAssets(Dictionary<string, byte[]> files) => _files = files;

    /// <exception cref="FileNotFoundException">An asset was not embedded (a build mistake).</exception>
    public static SimulatorAssets Load()
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in Names)
        {
            using var stream = typeof(SimulatorAssets).Assembly.GetManifestResourceStream("Simulator." + name)
                               ?? throw new FileNotFoundException($"embedded simulator asset {name} is missing");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files[name] = copy.ToArray();
        }
        return new SimulatorAssets(files);
    }

    public byte[] this[string name] => _files[name];
}
