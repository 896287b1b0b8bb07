using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using WaSms.Emulators.WhatsApp;
using WaSms.Gateway.Updates;

namespace WaSms.Gateway.Tests.Updates;

/// <summary>
/// <c>wasms-gateway update https://… --sha256 … --reboot</c> against the whole gateway in this process: the CLI hands the
/// URL over the control socket, the gateway downloads it (real HTTPS on loopback, a test CA given to its downloader),
/// checks and installs it through a scripted RAUC, records it and requests the reboot; the CLI follows it in status.
/// </summary>
public sealed class UpdateFromUrlCliTests(ITestOutputHelper testOutput) : IAsyncLifetime
{
    private readonly TempDirectory _state = new();
    private readonly ScriptedRauc _rauc = new() { Check = BundleCheck.Valid("2.0.0") };
    private readonly BundleServer _server = new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(300_000));
    private readonly WaEmulator _emulator = new();
    private InProcessGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _emulator.Start();
        _gateway = await InProcessGateway.StartAsync(_emulator, _state.Path, testOutput, configure: services =>
        {
            services.AddSingleton<IRaucAdapter>(_rauc);
            services.AddSingleton(sp => new BundleDownloader(Path.Combine(_state.Path, "updates"), 16 << 20, 3, TimeSpan.Zero,
                _server.TrustingHandler(), TimeProvider.System, NullLogger<BundleDownloader>.Instance));
        });
        await _gateway.Machine.WaitForAsync(s => s.State == Core.State.GatewayState.Unpaired, 30);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _emulator.DisposeAsync();
        await _server.DisposeAsync();
        _state.Dispose();
    }

    [Fact]
    public async Task UpdateUrlWithReboot_DownloadsResumesInstallsAndRequestsTheReboot()
    {
        _server.CutAfter[0] = 120_000;

        var (code, output, error) = await InProcessCli.RunAsync("update", _server.UrlFor().AbsoluteUri, "--sha256", _server.Sha256.ToUpperInvariant(),
            "--reboot", "--state-dir", _state.Path);

        Assert.True(code == ExitCodes.Ok, $"exit {code}: {error}\n{output}");
        var lines = output.ReplaceLineEndings("\n").TrimEnd().Split('\n');
        Assert.StartsWith("Downloading ", lines[0]);
        Assert.StartsWith("update 2.0.0 installed; rebooting into it", lines[^1]);
        Assert.Equal("bytes=120000-", _server.Request(1)["range"]);
        Assert.True(File.Exists(Path.Combine(_state.Path, "updates", "reboot-requested")));
        Assert.Contains("\"version\":\"2.0.0\"", await _gateway.Store.GetSettingAsync(UpdateCoordinator.InstalledSetting, CancellationToken.None));
    }

    [Fact]
    public async Task AnOfferFromTheCli_IsShownAndDownloaded_ButWaits_WhileAnUrgentOneInstalls()
    {
        // Unlinked, as here, only an urgent offer installs (docs/updates.md §5): the plain one is shown, downloaded and waits.
        var (code, output, error) = await InProcessCli.RunAsync("update", _server.UrlFor().AbsoluteUri, "--sha256", _server.Sha256,
            "--version", "2.0.0", "--when-quiet", "--state-dir", _state.Path);
        Assert.True(code == ExitCodes.Ok, $"exit {code}: {error}\n{output}");
        Assert.StartsWith("Update 2.0.0 offered: it downloads now and installs at a quiet moment", output);
        Assert.Equal(new Core.State.UpdateNotice("2.0.0"), _gateway.Machine.Current.OpenNotice<Core.State.UpdateNotice>(DateTimeOffset.UtcNow));
        Assert.Contains("\"version\":\"2.0.0\"", await _gateway.Store.GetSettingAsync(WaSms.Gateway.Tunnel.Sync.CommandHandler.UpdateSetting, CancellationToken.None));
        await Eventually.UntilAsync(() => !_server.Requests.IsEmpty, Eventually.DefaultTimeout, "the offer is downloaded at once");
        await Task.Delay(500);
        Assert.DoesNotContain(_rauc.Calls, c => c.StartsWith("install", StringComparison.Ordinal));

        (code, output, error) = await InProcessCli.RunAsync("update", _server.UrlFor().AbsoluteUri, "--sha256", _server.Sha256,
            "--version", "2.0.0", "--when-quiet", "--urgent", "--state-dir", _state.Path);
        Assert.True(code == ExitCodes.Ok, $"exit {code}: {error}\n{output}");
        Assert.StartsWith("Update 2.0.0 offered as urgent", output);
        await Eventually.UntilAsync(() => File.Exists(Path.Combine(_state.Path, "updates", "reboot-requested")), Eventually.DefaultTimeout,
            "the urgent offer installs and asks for the reboot", () => string.Join(", ", _rauc.Calls));
        Assert.Contains(_rauc.Calls, c => c.StartsWith("install", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--when-quiet", "--sha256")]             // no version
    [InlineData("--when-quiet", "--version")]            // no sha256
    [InlineData("--urgent", "--version", "--sha256")]    // an offer's flag without --when-quiet
    public async Task AnOfferWithoutWhatItNeeds_IsAUsageError(params string[] flags)
    {
        var args = new List<string> { "update", _server.UrlFor().AbsoluteUri };
        foreach (var flag in flags)
        {
            args.Add(flag);
            if (flag == "--sha256") { args.Add(_server.Sha256); }
            if (flag == "--version") { args.Add("2.0.0"); }
        }
        var (code, _, error) = await InProcessCli.RunAsync([.. args, "--state-dir", _state.Path]);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith("wasms-gateway: update", error);
        Assert.Null(await _gateway.Store.GetSettingAsync(WaSms.Gateway.Tunnel.Sync.CommandHandler.UpdateSetting, CancellationToken.None));
    }

    [Fact]
    public async Task UpdateUrlWithAnotherSha256_ExitsDataError()
    {
        var (code, output, error) = await InProcessCli.RunAsync("update", _server.UrlFor().AbsoluteUri, "--sha256", new string('0', 64),
            "--state-dir", _state.Path);

        Assert.Equal(ExitCodes.DataError, code);
        Assert.Contains($"has sha256 {_server.Sha256}, not the expected", output);
        Assert.Empty(error);
        Assert.Empty(_rauc.Calls);
    }

    [Fact]
    public async Task UpdateUrlNotFound_ExitsFailureWithTheReason()
    {
        _server.Status = System.Net.HttpStatusCode.NotFound;

        var (code, output, _) = await InProcessCli.RunAsync("update", _server.UrlFor().AbsoluteUri, "--state-dir", _state.Path);

        Assert.Equal(ExitCodes.Failure, code);
        Assert.EndsWith("the server answered 404 NotFound", output.TrimEnd());
    }

    [Fact]
    public async Task UpdateOffer_WithoutAnOffer_IsAUsageError()
    {
        var (code, _, error) = await InProcessCli.RunAsync("update", "--offer", "--state-dir", _state.Path);

        Assert.Equal((ExitCodes.Usage, "wasms-gateway: the platform offers no update to install\n"), (code, error.ReplaceLineEndings("\n")));
    }

    [Fact]
    public async Task UpdateDismiss_WithoutARollback_SaysSo()
    {
        var (code, output, error) = await InProcessCli.RunAsync("update", "--dismiss", "--state-dir", _state.Path);

        Assert.Equal((ExitCodes.Ok, "No rolled-back update to dismiss\n", ""), (code, output.ReplaceLineEndings("\n"), error));
    }
}
