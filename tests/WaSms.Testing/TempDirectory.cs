namespace WaSms.Testing;

/// <summary>
/// A fresh directory under /tmp, removed afterwards. The name stays short because tests put unix
/// sockets in it (a socket path has at most 107 bytes).
/// </summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "wasms-" + Guid.NewGuid().ToString("N")[..10]);

    /// <summary>The path of <paramref name="name"/> inside this directory.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
