using System.Collections;
using System.Globalization;
using System.Text.Json;
using WaSms.Gateway.Cli;
using WaSms.Hardware.Board;
using WaSms.Emulators.WhatsApp;

namespace WaSms.Gateway.Tests.Hosting;

/// <summary>
/// A button that reads pressed for <c>Board:ButtonStuckAfter</c> is a hardware fault the operator
/// sees in <c>status</c> and <c>status --json</c> (over the real control socket), and it clears on release (issue #14).
/// </summary>
public sealed class ButtonStuckStatusTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _state = new();

    public void Dispose() => _state.Dispose();

    private async Task<(int Code, string Output, string Error)> CliAsync(params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        var code = await GatewayCli.RunAsync([.. args, "--state-dir", _state.Path], new Hashtable(), output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task StuckButton_InStatusTextAndJson_GoneAfterRelease()
    {
        await using var emulator = new WaEmulator();
        emulator.Start();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 9, 41, 7, TimeSpan.Zero));
        await using var gateway = await InProcessGateway.StartAsync(emulator, _state.Path, output, time);
        var button = gateway.Get<IBoard>().Button;

        var fine = await CliAsync("status");
        Assert.Equal(0, fine.Code);
        Assert.DoesNotContain("Button:", fine.Output, StringComparison.Ordinal);
        var fineJson = await CliAsync("status", "--json");
        using (var document = JsonDocument.Parse(fineJson.Output))
        {
            Assert.False(document.RootElement.GetProperty("button").GetProperty("stuck").GetBoolean());
            Assert.False(document.RootElement.GetProperty("button").TryGetProperty("since", out _));
        }

        button.Press(); // the line reads pressed and never changes
        time.Advance(TimeSpan.FromSeconds(60));
        Assert.NotNull(button.StuckSince);

        var text = await CliAsync("status");
        Assert.Equal(0, text.Code);
        Assert.Contains("\nButton:   stuck since 09:41:07 (reads pressed; check the wiring)\n", text.Output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        var json = await CliAsync("status", "--json");
        Assert.Equal(0, json.Code);
        using (var document = JsonDocument.Parse(json.Output))
        {
            var stuck = document.RootElement.GetProperty("button");
            Assert.True(stuck.GetProperty("stuck").GetBoolean());
            Assert.Equal(new DateTimeOffset(2026, 12, 2, 9, 41, 7, TimeSpan.Zero), stuck.GetProperty("since").GetDateTimeOffset());
        }

        Assert.Null(button.Release());
        Assert.DoesNotContain("Button:", (await CliAsync("status")).Output, StringComparison.Ordinal);
    }
}
