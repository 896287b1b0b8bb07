using WaSms.Core.State;
using WaSms.Emulators.WhatsApp;
using WaSms.Gateway.Cli;
using WaSms.Gateway.Configuration;
using WaSms.Gateway.Control;
using WaSms.Gateway.Tests.Platform;

namespace WaSms.Gateway.Tests.Hosting;

/// <summary>
/// The whole host against the platform emulator over real TLS: a terminal refusal from the platform
/// reaches the one state machine's snapshot and <c>status</c> (text and JSON report) with its reason.
/// </summary>
public sealed class PlatformLinkStatusTests(ITestOutputHelper testOutput) : IDisposable
{
    private readonly TempDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task AForbiddenAccount_StopsTheTunnel_AndStatusSaysWhy()
    {
        await using var bed = await PlatformTestBed.StartAsync();
        await bed.Api.PostFormAsync("dev/refuse", ("code", "forbidden"));
        await using var emulator = new WaEmulator();
        emulator.Start();
        var tunnel = new TunnelOptions
        {
            Url = bed.Platform.TunnelUri.ToString(),
            CaFile = bed.Platform.CaFile,
            EnrollmentCode = await bed.IssueCodeAsync(),
            TimeSyncFlag = "",
        };
        await using var gateway = await InProcessGateway.StartAsync(emulator, _state.Path, testOutput, tunnel: tunnel);

        await Eventually.UntilAsync(() => gateway.Machine.Current.Platform?.State == PlatformLinkState.Stopped, Eventually.DefaultTimeout,
            "the tunnel stops on forbidden", () => gateway.Machine.Current.Platform?.ToString() ?? "no platform link");
        const string Reason = "the account may not use gateways: this account may not add a gateway (plan or suspension)";
        var report = await gateway.Get<StatusProvider>().GetReportAsync(CancellationToken.None);
        Assert.Equal("stopped", report.Tunnel!.State);
        Assert.Equal(Reason, report.Tunnel.Reason);
        Assert.Contains($"\nPlatform: stopped ({Reason})\n", StatusText.Format(report), StringComparison.Ordinal);
        Assert.Equal("stopped", (await gateway.Get<StatusProvider>().GetAsync(CancellationToken.None)).Tunnel); // what MQTT publishes
    }
}
