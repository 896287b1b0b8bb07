using System.Text.RegularExpressions;
using WaSms.Gateway.Cli;
using WaSms.Gateway.Control;

namespace WaSms.Gateway.Tests.Cli;

/// <summary>The command line's own answers: help, usage errors, texts shared with the screen.</summary>
public sealed partial class GatewayCliTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => InProcessCli.RunAsync(args);

    [Fact]
    public async Task Help_ListsEveryExitCode_LikeTheReadme()
    {
        var (code, output, _) = await RunAsync("--help");
        Assert.Equal(0, code);

        var readme = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "README.md"));
        var readmeLine = readme[readme.IndexOf("Exit codes:", StringComparison.Ordinal)..];
        readmeLine = readmeLine[..readmeLine.IndexOf("\n\n", StringComparison.Ordinal)];
        var readmeCodes = ExitCode().Matches(readmeLine).Select(m => m.Groups[1].Value).ToArray();
        var helpLine = output[output.IndexOf("Exit codes:", StringComparison.Ordinal)..];
        Assert.Equal(["0", "1", "2", "3", "4", "5", "64", "65", "78"], readmeCodes);
        Assert.Equal(readmeCodes, ExitCode().Matches(helpLine).Select(m => m.Groups[1].Value).ToArray());
    }

    [Theory]
    [InlineData("12")]
    [InlineData("0151 1234567")]
    public async Task PairCode_WithABadNumber_IsAUsageError(string number)
    {
        // Checked before the gateway is asked: no gateway runs here.
        var (code, _, error) = await RunAsync("pair-code", number, "--state-dir", _dir.Path);

        Assert.Equal(64, code);
        Assert.StartsWith("wasms-gateway: pair-code: The phone number", error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Timeout_MustBeSeconds()
    {
        var (code, _, error) = await RunAsync("status", "--timeout", "soon", "--state-dir", _dir.Path);

        Assert.Equal(64, code);
        Assert.Contains("--timeout takes seconds", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ControlSocket_PermissionDenied_IsItsOwnAnswer_NotNotAnswering()
    {
        // As root (CI) connect(2) never says EACCES, so the classification is tested directly.
        var socket = System.IO.Path.Combine(_dir.Path, "control.sock");
        var denied = ControlClient.ConnectFailure(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.AccessDenied), socket);

        var typed = Assert.IsType<ControlAccessDeniedException>(denied);
        Assert.Equal($"no permission to use {socket}: run this as the gateway's user or as root", typed.Message);
        var (report, code) = GatewayCli.NoStatus(typed);
        Assert.Equal(("no-permission", (bool?)null, 1), (report.State, report.Running, code));
        Assert.Equal("""{"state":"no-permission","reason":"no permission to use """ + socket + """: run this as the gateway's user or as root"}""",
            System.Text.Json.JsonSerializer.Serialize(report, ControlJson.Readable.NoStatusReport));

        var refused = ControlClient.ConnectFailure(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused), socket);
        Assert.Equal(("not-running", 3), (GatewayCli.NoStatus(refused!).Report.State, GatewayCli.NoStatus(refused!).ExitCode));
        Assert.Equal(("not-answering", 1), (GatewayCli.NoStatus(new IOException("closed")).Report.State, GatewayCli.NoStatus(new IOException("closed")).ExitCode));
    }

    [Fact]
    public void PhoneNumberPath_IsTheScreensPath()
    {
        Assert.StartsWith(Hardware.Display.ScreenRenderer.LinkPath, LinkTexts.PhoneNumberPath, StringComparison.Ordinal);
        Assert.EndsWith("Link with phone number instead", LinkTexts.PhoneNumberPath, StringComparison.Ordinal);
    }

    // "0 ok, 1 failure (…), 2 reset…": a number followed by a word.
    [GeneratedRegex(@"(?<![\w.])(\d+) [a-z]")]
    private static partial Regex ExitCode();
}
