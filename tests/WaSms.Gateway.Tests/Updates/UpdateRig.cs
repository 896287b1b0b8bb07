using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaSms.Core.State;
using WaSms.Gateway.Updates;
using WaSms.Storage;

namespace WaSms.Gateway.Tests.Updates;

/// <summary>
/// The update side as the service assembles it, on a fake clock: a real store file, the real downloader against
/// <see cref="BundleServer"/> on loopback, the coordinator over <see cref="ScriptedRauc"/>, and a state machine that is online.
/// </summary>
internal sealed class UpdateRig : IAsyncDisposable
{
    private UpdateRig(TempDirectory dir, GatewayStore store, BundleServer server, FakeTimeProvider time, GatewayStateMachine state)
    {
        (Dir, Store, Server, Time, State) = (dir, store, server, time, state);
        Downloader = new BundleDownloader(dir.File("updates"), 16 * 1024 * 1024, 3, TimeSpan.FromSeconds(10), server.TrustingHandler(), time,
            NullLogger<BundleDownloader>.Instance);
        Updates = new UpdateCoordinator(Rauc, state, store, Downloader, RebootFile, time, NullLogger<UpdateCoordinator>.Instance);
    }

    public TempDirectory Dir { get; }
    public GatewayStore Store { get; }
    public BundleServer Server { get; }
    public FakeTimeProvider Time { get; }
    public GatewayStateMachine State { get; }
    public ScriptedRauc Rauc { get; } = new();
    public BundleDownloader Downloader { get; }
    public UpdateCoordinator Updates { get; }
    public string RebootFile => Dir.File("updates/reboot-requested");

    public static async Task<UpdateRig> CreateAsync(bool online = true)
    {
        var dir = new TempDirectory();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
        var store = await GatewayStore.OpenAsync(dir.Path, time, NullLogger.Instance, CancellationToken.None);
        var state = new GatewayStateMachine(time, NullLogger<GatewayStateMachine>.Instance);
        if (online)
        {
            Assert.True(state.TryFire(new StateChange(GatewayTrigger.Connect, "Connecting")));
            Assert.True(state.TryFire(new StateChange(GatewayTrigger.LinkUp, "Linked")));
        }
        return new UpdateRig(dir, store, new BundleServer(RandomNumberGenerator.GetBytes(200_000)), time, state);
    }

    public async Task<string?> SettingAsync(string key) => await Store.GetSettingAsync(key, CancellationToken.None);

    /// <summary>Waits for <see cref="UpdateCoordinator.Installation"/> while moving the fake clock on (download retries).</summary>
    public async Task<UpdateReport> FinishAsync()
    {
        var run = Updates.Installation!;
        await Eventually.UntilAsync(() => run.IsCompleted, Eventually.DefaultTimeout, "the update to end",
            () => $"{Updates.Current}", between: () => Time.Advance(TimeSpan.FromSeconds(5)));
        return await run;
    }

    public async ValueTask DisposeAsync()
    {
        Downloader.Dispose();
        await Server.DisposeAsync();
        await Store.DisposeAsync();
        Dir.Dispose();
    }
}
