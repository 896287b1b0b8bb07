using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace WaSms.Health.Tests.Support;

/// <summary>Runs the real <c>wasms-gateway</c> (the build output of src/WaSms.Gateway) as a child process.</summary>
public sealed class GatewayProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private GatewayProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (_output) { _output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (_output) { _output.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output { get { lock (_output) { return _output.ToString(); } } }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static string DllPath
    {
        get
        {
            var testDir = AppContext.BaseDirectory; // tests/WaSms.Health.Tests/bin/<Config>/net10.0/
            var configuration = new DirectoryInfo(testDir).Parent!.Name;
            var path = Path.GetFullPath(Path.Combine(testDir, "..", "..", "..", "..", "..", "src", "WaSms.Gateway", "bin", configuration, "net10.0", "wasms-gateway.dll"));
            Assert.True(File.Exists(path), $"gateway not built at {path}");
            return path;
        }
    }

    public static GatewayProcess Start(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(DllPath);
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("WASMS_", StringComparison.Ordinal) || k.StartsWith("NOTIFY_", StringComparison.Ordinal) || k.StartsWith("WATCHDOG_", StringComparison.Ordinal)).ToList())
        {
            psi.Environment.Remove(key);
        }
        return new GatewayProcess(Process.Start(psi)!);
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
