using System.Diagnostics;
using System.Text.Json.Nodes;
using WaSms.WhatsApp.Tests.Binary;

namespace WaSms.WhatsApp.Tests.Signal;

/// <summary>
/// One long-lived <c>node libsignal-oracle/oracle.mjs</c> per test class (npm libsignal@6.0.0 and
/// Baileys rc14's group cipher), spoken to in JSON lines. Not started when WASMS_SKIP_ORACLES=1.
/// </summary>
public sealed class LibsignalOracle : IDisposable
{
    private readonly Lazy<Process> _process;
    private readonly System.Text.StringBuilder _stderr = new();

    public LibsignalOracle() => _process = new(Start);

    /// <summary>True when the oracle tests are switched off (WASMS_SKIP_ORACLES=1).</summary>
    public static bool Skipped => Environment.GetEnvironmentVariable("WASMS_SKIP_ORACLES") == "1";

    /// <summary>Sends one request and returns the answer; an oracle-level error fails the test.</summary>
    public JsonObject Call(JsonObject request)
    {
        var process = _process.Value;
        process.StandardInput.WriteLine(request.ToJsonString());
        process.StandardInput.Flush();
        // A guard against a hung oracle, not a timing assertion.
        var line = process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(3)).GetAwaiter().GetResult()
            ?? throw new Xunit.Sdk.XunitException($"The libsignal oracle exited: {Stderr()}");
        var answer = JsonNode.Parse(line)!.AsObject();
        if (answer["error"] is { } error)
        {
            throw new Xunit.Sdk.XunitException($"The libsignal oracle failed: {error}");
        }

        return answer;
    }

    /// <summary>A JSON array of hex strings.</summary>
    public static JsonArray HexArray(IEnumerable<byte[]> items) => [.. items.Select(b => (JsonNode)Convert.ToHexStringLower(b))];

    public void Dispose()
    {
        if (_process.IsValueCreated)
        {
            var process = _process.Value;
            process.StandardInput.Close();
            if (!process.WaitForExit(10_000))
            {
                process.Kill();
            }

            process.Dispose();
        }
    }

    private string Stderr()
    {
        lock (_stderr)
        {
            return _stderr.ToString();
        }
    }

    private Process Start()
    {
        string project = TestFiles.ProjectDirectory();
        string modules = Path.Combine(project, "Binary", "baileys-oracle", "node_modules");
        Assert.True(
            File.Exists(Path.Combine(modules, "libsignal", "package.json")) && File.Exists(Path.Combine(modules, "baileys", "package.json")),
            $"The libsignal oracle needs libsignal and baileys in {modules}: run Binary/baileys-oracle/install.sh, or set WASMS_SKIP_ORACLES=1.");
        var info = new ProcessStartInfo("node", [Path.Combine(project, "Signal", "libsignal-oracle", "oracle.mjs")])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(info) ?? throw new Xunit.Sdk.XunitException("node did not start (Node.js >= 20 must be on PATH).");
        process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        return process;
    }
}
