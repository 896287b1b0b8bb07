using System.Collections;
using System.Globalization;
using WaSms.Gateway.Cli;
using WaSms.Gateway.Control;
using WaSms.Gateway.Hosting;
using WaSms.Gateway.Provisioning;
using WaSms.Hardware.Display;
using WaSms.Emulators.WhatsApp;

namespace WaSms.Gateway.Tests.Hosting;

/// <summary>
/// A setup file that <c>wasms-gateway provision</c> refused reaches the customer: on the screen for
/// two minutes after start, in <c>status</c> for as long as it stands, naming the key and the line.
/// </summary>
public sealed class SetupNoticeTests(ITestOutputHelper testOutput) : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task RefusedSetupFile_OnScreenThenGone_AndInStatus()
    {
        // The image's layout in small: the service user (provision chowns its report to it) and the boot partition.
        Directory.CreateDirectory(Path.Combine(_root.Path, "etc"));
        var (uid, gid) = Provisioning.ProvisionCommandTests.CurrentIds();
        await File.WriteAllTextAsync(Path.Combine(_root.Path, "etc", "passwd"), $"root:x:{uid}:{gid}:root:/root:/bin/sh\nwasms:x:{uid}:{gid}::/nonexistent:/usr/sbin/nologin\n");
        await File.WriteAllTextAsync(Path.Combine(_root.Path, "etc", "group"), $"root:x:{gid}:\nwasms:x:{gid}:\n");
        var boot = Path.Combine(_root.Path, "boot", "firmware");
        Directory.CreateDirectory(boot);
        await File.WriteAllTextAsync(Path.Combine(boot, "wasms-gateway.txt"), "# test\nhostname = gw-test\ntimezone = Mars/Olympus\n");
        using (var output = new StringWriter(CultureInfo.InvariantCulture))
        using (var error = new StringWriter(CultureInfo.InvariantCulture))
        {
            Assert.Equal(78, await GatewayCli.RunAsync(["provision", "--root", _root.Path], new Hashtable(), output, error, CancellationToken.None));
        }
        var state = Path.Combine(_root.Path, "var", "lib", "wasms-gateway");
        Assert.Equal("timezone", SetupProblem.Read(state)?.Key);

        await using var emulator = new WaEmulator();
        emulator.Start();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await InProcessGateway.StartAsync(emulator, state, testOutput, time);
        var display = gateway.Get<DisplayController>();
        // The display observes the state on its own loop: the posted notice reaches it shortly after the start.
        var setup = await Eventually.ValueAsync(() => display.Setup, Eventually.DefaultTimeout, "the setup notice on the display");
        Assert.Equal("timezone", setup.Key);
        Assert.Equal(3, setup.Line);

        var report = await gateway.Get<StatusProvider>().GetReportAsync(CancellationToken.None);
        Assert.StartsWith("line 3, timezone: ", report.SetupProblem, StringComparison.Ordinal);
        Assert.Contains("Setup:    the setup file was refused (line 3, timezone:", StatusText.Format(report), StringComparison.Ordinal);

        time.Advance(SetupNoticeService.ShowFor + TimeSpan.FromSeconds(1));
        Assert.Null(display.Setup); // the screen goes back to the QR; status keeps saying it
        report = await gateway.Get<StatusProvider>().GetReportAsync(CancellationToken.None);
        Assert.NotNull(report.SetupProblem);
    }

    [Fact]
    public void GoodOrNoReport_NoProblem()
    {
        Assert.Null(SetupProblem.Read(_root.Path));
        File.WriteAllText(Path.Combine(_root.Path, "provisioning.json"), """{"ok":true,"file":"/boot/firmware/wasms-gateway.txt","applied":["hostname"],"scrubbed":[]}""");
        Assert.Null(SetupProblem.Read(_root.Path));
        File.WriteAllText(Path.Combine(_root.Path, "provisioning.json"), "{not json");
        Assert.Contains("cannot be read", SetupProblem.Read(_root.Path)!.Message, StringComparison.Ordinal);
    }
}
