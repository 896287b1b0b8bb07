using System.Text.Json;
using System.Text.RegularExpressions;

namespace WaSms.Gateway.Tests.Hosting;

/// <summary><c>dev wa-server</c> on its own, with a separate gateway process pointed at it by URL and root key.</summary>
public sealed partial class WaServerCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task StandaloneEmulator_ScansTheQrGivenOnStdin_AndTheGatewayGoesOnline()
    {
        using var server = GatewayProcess.Start(["dev", "wa-server", "--port", "0"], redirectInput: true);
        string? url = null, key = null;
        await Eventually.UntilAsync(() =>
        {
            url ??= UrlLine().Match(server.Output) is { Success: true } u ? u.Groups[1].Value : null;
            key ??= KeyLine().Match(server.Output) is { Success: true } k ? k.Groups[1].Value : null;
            return url is not null && key is not null;
        }, TimeSpan.FromSeconds(30), "the server's URL and key lines", () => server.Output + server.Error);

        var state = _dir.File("state");
        using var notify = new NotifyListener();
        using var gateway = GatewayProcess.Start(["run", "--simulate", "--state-dir", state, $"--WhatsApp:ServerUrl={url}", $"--WhatsApp:TrustedRootKey={key}"],
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path });
        await notify.WaitForAsync(m => m == "STATUS=unpaired: Scan the QR code with WhatsApp", TimeSpan.FromSeconds(30));
        var (_, status, _) = await GatewayProcess.RunAsync(["status", "--json", "--state-dir", state]);
        using var json = JsonDocument.Parse(status);
        var qr = json.RootElement.GetProperty("pairing").GetProperty("qr").GetString();

        await server.Input.WriteLineAsync(qr);
        await server.Input.FlushAsync();

        await notify.WaitForAsync(m => m == "STATUS=online: Online", TimeSpan.FromSeconds(20));
        Assert.Contains("linked 15555550123:", server.Output, StringComparison.Ordinal);
        server.Signal("TERM");
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(15)));
    }

    [GeneratedRegex(@"listening on (ws://\S+)")]
    private static partial Regex UrlLine();

    [GeneratedRegex(@"Trusted root key: ([0-9a-f]{64})")]
    private static partial Regex KeyLine();
}
