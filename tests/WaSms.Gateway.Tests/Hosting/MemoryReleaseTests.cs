using WaSms.Core.State;
using WaSms.Emulators.WhatsApp;
using WaSms.Gateway.Hosting;

namespace WaSms.Gateway.Tests.Hosting;

/// <summary>
/// Issue 11 (idle RSS after a burst): once an offline backlog of at least
/// <see cref="MemoryRelease.BacklogThreshold"/> stanzas is stored and receipted, the gateway hands the
/// burst's memory back (SQLite page cache, compacting GC, C heap); a small backlog does not pay for it.
/// </summary>
public sealed class MemoryReleaseTests(ITestOutputHelper output) : IDisposable
{
    private const string Account = "+15550009999";
    private const string Alice = "+15555550100";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task OfflineBacklog_AboveTheThreshold_ReleasesMemoryOnce_BelowItDoesNot()
    {
        await using var emulator = new WaEmulator();
        emulator.Start();
        emulator.Contacts.AccountNumber = Account;
        emulator.Contacts.Add(Alice, "Alice");
        await using (var first = await InProcessGateway.StartAsync(emulator, _dir.Path, output))
        {
            var qr = await first.Machine.WaitForAsync(s => s.Pairing?.QrCode is not null, seconds: 60);
            await new PhoneSimulator(emulator, Account[1..]).ScanAsync(qr.Pairing!.QrCode!, CancellationToken.None);
            await first.Machine.WaitForAsync(s => s.State == GatewayState.Online, seconds: 60);
        }

        await SayAsync(emulator, 5);
        await using (var small = await InProcessGateway.StartAsync(emulator, _dir.Path, output))
        {
            await small.Machine.WaitForAsync(s => s.State == GatewayState.Online, seconds: 60);
            Assert.Equal(5, await CountInboundAsync(small));
            Assert.DoesNotContain("offline backlog", small.Get<MemoryRelease>().LastReleasedAfter ?? "", StringComparison.Ordinal);
        }

        await SayAsync(emulator, MemoryRelease.BacklogThreshold + 44);
        await using var big = await InProcessGateway.StartAsync(emulator, _dir.Path, output);
        await big.Machine.WaitForAsync(s => s.State == GatewayState.Online, seconds: 120);
        var memory = big.Get<MemoryRelease>();
        // The release starts as the gateway goes online and runs on its own; wait for it to be recorded.
        for (var i = 0; i < 600 && memory.LastReleasedAfter?.Contains("offline backlog", StringComparison.Ordinal) != true; i++)
        {
            await Task.Delay(100);
        }

        Assert.Equal($"an offline backlog of {MemoryRelease.BacklogThreshold + 44} stanzas", memory.LastReleasedAfter);
        Assert.Equal(1, memory.Releases);
        Assert.Equal(5 + MemoryRelease.BacklogThreshold + 44, await CountInboundAsync(big)); // every message was stored before
    }

    private static async Task SayAsync(WaEmulator emulator, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await emulator.Contacts.SayAsync(Alice, $"while away {i}", CancellationToken.None);
        }
    }

    private static async Task<int> CountInboundAsync(InProcessGateway gateway) =>
        (await gateway.Store.ReadEventsAsync(0, 10_000, CancellationToken.None)).Count(e => e.Message is { FromMe: false });
}
