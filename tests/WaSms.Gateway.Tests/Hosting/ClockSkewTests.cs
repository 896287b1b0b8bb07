using System.Text.Json;
using WaSms.Core.State;
using WaSms.Emulators.WhatsApp;

namespace WaSms.Gateway.Tests.Hosting;

/// <summary>
/// Issue #9 item 24: a board without a real-time clock. With the clock 200 days behind WhatsApp's
/// certificate check fails; the customer must see that the clock is wrong (status, screen, MQTT all
/// read the state's reason), and the gateway must recover by itself once the clock is set.
/// </summary>
public sealed class ClockSkewTests(ITestOutputHelper output) : IDisposable
{
    private const string FakeTimeLibrary = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// The real binary under Debian's libfaketime, its clock 200 days behind the emulator's, then set
    /// right (as NTP would step it) by rewriting faketime's offset file while it runs.
    /// </summary>
    [Fact]
    public async Task RealProcess_Clock200DaysBehind_StatusSaysSo_ThenTheQrComesOnceTheClockIsSet()
    {
        Assert.True(File.Exists(FakeTimeLibrary), "libfaketime is missing: run scripts/install-test-deps");
        await using var emulator = new WaEmulator();
        emulator.Start();
        var offsetFile = _dir.File("faketime");
        await File.WriteAllTextAsync(offsetFile, "-200d\n");
        var state = _dir.File("state");
        using var notify = new NotifyListener();
        using var gateway = GatewayProcess.Start(
            ["run", "--simulate", "--state-dir", state, $"--WhatsApp:ServerUrl={emulator.Uri}", $"--WhatsApp:TrustedRootKey={emulator.TrustedRootKeyHex}"],
            new Dictionary<string, string>
            {
                ["NOTIFY_SOCKET"] = notify.Path,
                ["LD_PRELOAD"] = FakeTimeLibrary,
                ["FAKETIME_TIMESTAMP_FILE"] = offsetFile,
                ["FAKETIME_NO_CACHE"] = "1",
                // Only the wall clock is wrong on such a board; timers and the monotonic clock are fine.
                ["FAKETIME_DONT_FAKE_MONOTONIC"] = "1",
            });

        const string Expected = "STATUS=unpaired: Clock is 200 days behind: waiting for time sync (NTP); check that the network allows it";
        await notify.WaitForAsync(m => m == Expected, TimeSpan.FromSeconds(60));
        var (code, output, _) = await GatewayProcess.RunAsync(["status", "--json", "--state-dir", state]);
        Assert.Equal(0, code);
        using (var json = JsonDocument.Parse(output))
        {
            Assert.Equal("unpaired", json.RootElement.GetProperty("state").GetString());
            Assert.StartsWith("Clock is 200 days behind", json.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        }
        Assert.Contains("not valid before", gateway.Output, StringComparison.Ordinal); // the log keeps the detail

        await File.WriteAllTextAsync(offsetFile, "+0\n"); // NTP answered

        await notify.WaitForAsync(m => m == "STATUS=unpaired: Scan the QR code with WhatsApp", TimeSpan.FromSeconds(60));
        Assert.Contains("the clock was set", gateway.Output, StringComparison.Ordinal);
    }

    /// <summary>A linked gateway restarted with a wrong clock: connecting, with the clock reason; online once it is set.</summary>
    [Fact]
    public async Task Linked_ClockBehind_ConnectingWithTheClockReason_ThenOnline()
    {
        await using var emulator = new WaEmulator();
        emulator.Start();
        await using (var first = await InProcessGateway.StartAsync(emulator, _dir.Path, output))
        {
            var qr = await WaitForAsync(first.Machine, s => s.Pairing?.QrCode is not null);
            await new PhoneSimulator(emulator, "15550009999").ScanAsync(qr.Pairing!.QrCode!, CancellationToken.None);
            await WaitForAsync(first.Machine, s => s.State == GatewayState.Online);
        }

        var clock = new ShiftedTime(TimeSpan.FromDays(-200));
        await using var gateway = await InProcessGateway.StartAsync(emulator, _dir.Path, output, clock);
        var wrong = await WaitForAsync(gateway.Machine, s => s.Reason.StartsWith("Clock is", StringComparison.Ordinal));
        Assert.Equal(GatewayState.Connecting, wrong.State);
        Assert.StartsWith("Clock is 200 days behind: waiting for time sync (NTP)", wrong.Reason, StringComparison.Ordinal);
        Assert.Equal(GatewayProblem.ClockNotSet, wrong.Problem); // the LEDs blink amber twice for it

        clock.Offset = TimeSpan.Zero;

        var online = await WaitForAsync(gateway.Machine, s => s.State == GatewayState.Online);
        Assert.Equal(GatewayProblem.None, online.Problem);
    }

    private static Task<GatewaySnapshot> WaitForAsync(GatewayStateMachine machine, Func<GatewaySnapshot, bool> match) =>
        machine.WaitForAsync(match, seconds: 60);

    /// <summary>The system clock moved by <see cref="Offset"/>; the monotonic clock and timers untouched, as on a board without an RTC.</summary>
    private sealed class ShiftedTime(TimeSpan offset) : TimeProvider
    {
        private long _offsetTicks = offset.Ticks;

        public TimeSpan Offset
        {
            get => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
            set => Interlocked.Exchange(ref _offsetTicks, value.Ticks);
        }

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
    }
}
