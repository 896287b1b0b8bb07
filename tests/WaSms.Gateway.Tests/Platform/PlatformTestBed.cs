using System.Security.Cryptography;
using WaSms.Emulators.Platform;

namespace WaSms.Gateway.Tests.Platform;

/// <summary>An in-process platform emulator on a fresh data directory, its API client and the test gateway's device key.</summary>
internal sealed class PlatformTestBed : IAsyncDisposable
{
    private PlatformTestBed(TempDirectory directory, PlatformEmulator platform)
    {
        Directory = directory;
        Platform = platform;
        Api = new PlatformApiClient(platform.ApiUri, platform.Secret);
    }

    public TempDirectory Directory { get; }

    public PlatformEmulator Platform { get; }

    public PlatformApiClient Api { get; }

    /// <summary>The device key every <see cref="ConnectAsync"/> uses unless given another.</summary>
    public ECDsa Key { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public static async Task<PlatformTestBed> StartAsync(TimeProvider? time = null)
    {
        var directory = new TempDirectory();
        return new PlatformTestBed(directory, await PlatformEmulator.StartAsync(directory.Path, 0, 0, time ?? TimeProvider.System, log: null, settings: null, CancellationToken.None));
    }

    public Task<string> IssueCodeAsync() => Platform.IssueCodeAsync(CancellationToken.None);

    /// <summary>A connection past the challenge, with <see cref="Key"/> unless <paramref name="key"/> is given.</summary>
    public Task<TunnelTestClient> ConnectAsync(ECDsa? key = null) => TunnelTestClient.ConnectAsync(Platform.TunnelUri, Platform.CaFile, key ?? Key);

    /// <summary>A fresh code, enroll and hello on one connection: the client (past welcome), its gatewayId and account.</summary>
    public async Task<(TunnelTestClient Client, string GatewayId, string Account)> EnrolledAsync()
    {
        var client = await ConnectAsync();
        var (gatewayId, account) = await client.EnrollAsync(await IssueCodeAsync());
        await client.HelloAsync(gatewayId);
        return (client, gatewayId, account);
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await Platform.DisposeAsync();
        Key.Dispose();
        Directory.Dispose();
    }
}
