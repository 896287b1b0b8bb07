using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;

namespace WaSms.Testing;

/// <summary>
/// Runs the real <c>wasms-gateway</c> as a child process (the build output of src/WaSms.Gateway).
/// The Gateway and Health tests use it. Its output is captured, never written to the console: given
/// the test's output, it goes there when the process is disposed, which the runner shows only when
/// the test fails.
/// </summary>
public sealed class GatewayProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();

    private readonly string _name;
    private readonly ITestOutputHelper? _testOutput;

    private GatewayProcess(Process process, string name, ITestOutputHelper? testOutput)
    {
        _process = process;
        _name = name;
        _testOutput = testOutput;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (_output) { _output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (_error) { _error.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static string DllPath
    {
        get
        {
            var testDir = AppContext.BaseDirectory; // tests/WaSms.Gateway.Tests/bin/<Config>/net10.0/
            var configuration = new DirectoryInfo(testDir).Parent!.Name;
            var path = Path.GetFullPath(Path.Combine(testDir, "..", "..", "..", "..", "..", "src", "WaSms.Gateway", "bin", configuration, "net10.0", "wasms-gateway.dll"));
            Assert.True(File.Exists(path), $"gateway not built at {path}");
            return path;
        }
    }

    public int Id => _process.Id;

    public string Output { get { lock (_output) { return _output.ToString(); } } }

    public string Error { get { lock (_error) { return _error.ToString(); } } }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Standard input of the process (started with <c>redirectInput</c>).</summary>
    public StreamWriter Input => _process.StandardInput;

    /// <param name="args">The command line.</param>
    /// <param name="environment">Variables added to a cleaned environment.</param>
    /// <param name="redirectInput">Whether the test writes to <see cref="Input"/>.</param>
    /// <param name="testOutput">The test's output, which gets the process's stdout and stderr when it is disposed.</param>
    public static GatewayProcess Start(IEnumerable<string> args, IDictionary<string, string>? environment = null, bool redirectInput = false, ITestOutputHelper? testOutput = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = redirectInput };
        psi.ArgumentList.Add(DllPath);
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }
        // Keep the child's environment to what the test says: no stray NOTIFY_SOCKET or WASMS_*.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("WASMS_", StringComparison.Ordinal) || k.StartsWith("NOTIFY_", StringComparison.Ordinal) || k.StartsWith("WATCHDOG_", StringComparison.Ordinal)).ToList())
        {
            psi.Environment.Remove(key);
        }
        // Dev-mode processes run side by side (and beside a developer's scripts/dev): the simulator page
        // takes a free port unless the test names one (the command line outranks the environment).
        psi.Environment["Simulator__Url"] = "http://127.0.0.1:0";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }
        return new GatewayProcess(Process.Start(psi)!, "wasms-gateway " + string.Join(' ', psi.ArgumentList.Skip(1)), testOutput);
    }

    /// <summary>Runs a CLI command to completion.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(
        IEnumerable<string> args, IDictionary<string, string>? environment = null, TimeSpan? timeout = null, ITestOutputHelper? testOutput = null)
    {
        using var process = Start(args, environment, testOutput: testOutput);
        var code = await process.WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(60));
        return (code, process.Output, process.Error);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"gateway did not exit within {timeout}.\nstdout:\n{Output}\nstderr:\n{Error}");
        }
        _process.WaitForExit(); // drain the output events
        return _process.ExitCode;
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.WaitForExit(); // drain the output events
        WriteToTestOutput();
        _process.Dispose();
    }

    private void WriteToTestOutput()
    {
        if (_testOutput is null)
        {
            return;
        }
        try
        {
            _testOutput.WriteLine($"--- {_name} (pid {_process.Id}, exit {_process.ExitCode}) stdout:\n{Output}--- stderr:\n{Error}---");
        }
        catch (InvalidOperationException)
        {
            // Disposed after its test finished: there is no test to attach it to.
        }
    }
}
