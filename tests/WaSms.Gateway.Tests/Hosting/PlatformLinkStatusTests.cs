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

    [Fact]
    public async Task EnrollFromTheCli_StoresTheCodeOwnerOnly_AndTheRunningGatewayEnrolls()
    {
        await using var bed = await PlatformTestBed.StartAsync();
        await using var emulator = new WaEmulator();
        emulator.Start();
        var tunnel = new TunnelOptions { Url = bed.Platform.TunnelUri.ToString(), CaFile = bed.Platform.CaFile, TimeSyncFlag = "" };
        await using var gateway = await InProcessGateway.StartAsync(emulator, _state.Path, testOutput, tunnel: tunnel);
        await Eventually.UntilAsync(() => gateway.Machine.Current.Platform?.State == PlatformLinkState.NotEnrolled, Eventually.DefaultTimeout,
            "the gateway waits for a code", () => gateway.Machine.Current.Platform?.ToString() ?? "no platform link");

        var (badExit, _, badError) = await CliAsync("enroll", "not a code!");
        Assert.Equal(64, badExit);
        Assert.Equal("wasms-gateway: usage: wasms-gateway enroll <code> (4-64 letters, digits or dashes, as the dashboard shows it)", badError.Trim());

        var code = await bed.IssueCodeAsync();
        var (exit, output, error) = await CliAsync("enroll", code);
        Assert.True(exit == 0, $"enroll exit {exit}: {error}");
        Assert.Contains("Enrollment code stored", output, StringComparison.Ordinal);
        var file = Path.Combine(_state.Path, WaSms.Storage.GatewayStore.EnrollmentCodeFileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(code, File.ReadAllText(file).Trim());

        await Eventually.UntilAsync(() => gateway.Machine.Current.Platform?.State == PlatformLinkState.Connected, Eventually.DefaultTimeout,
            "the running gateway enrolls with the code", () => gateway.Machine.Current.Platform?.ToString() ?? "no platform link");
        Assert.Single(await bed.Api.ListAsync("get/wa.accounts"));
    }

    private async Task<(int Exit, string Output, string Error)> CliAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await GatewayCli.RunAsync([.. args, "--state-dir", _state.Path], new System.Collections.Hashtable(), output, error, CancellationToken.None);
        return (exit, output.ToString(), error.ToString());
    }
}
