using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using WaSms.Core.State;
using WaSms.Gateway.Configuration;
using WaSms.Gateway.Hosting;
using WaSms.Hardware.Board;
using WaSms.Storage;
using WaSms.Emulators.WhatsApp;

namespace WaSms.Gateway.Tests.Support;

/// <summary>
/// The whole gateway host in this process on a simulated board, pointed at <paramref name="emulator"/>
/// by WhatsApp:ServerUrl and TrustedRootKey alone, with its store in <c>stateDirectory</c>.
/// </summary>
internal sealed class InProcessGateway(IHost host, GatewayStore store, GatewaySettings settings) : IAsyncDisposable
{
    public IHost Host => host;

    public GatewayStore Store => store;

    public GatewaySettings Settings => settings;

    public GatewayStateMachine Machine => Get<GatewayStateMachine>();

    public T Get<T>() where T : notnull => host.Services.GetRequiredService<T>();

    /// <param name="output">Where the host logs: the test's output, shown only when the test fails.</param>
    /// <param name="tunnel">The platform tunnel's settings; none (not configured) when null.</param>
    /// <param name="updates">Where the boot script's update failure line is read; a file that does not exist when null (never the host's /run).</param>
    /// <param name="configure">Registrations over the host's own (a scripted RAUC, say).</param>
    public static async Task<InProcessGateway> StartAsync(WaEmulator emulator, string stateDirectory, ITestOutputHelper output, TimeProvider? time = null,
        TunnelOptions? tunnel = null, UpdatesOptions? updates = null, Action<IServiceCollection>? configure = null)
    {
        time ??= TimeProvider.System;
        var settings = new GatewaySettings
        {
            Gateway = new GatewayOptions { StateDirectory = stateDirectory },
            Board = new BoardOptions { Kind = BoardKind.Simulated },
            WhatsApp = new WhatsAppOptions { ServerUrl = emulator.Uri.ToString(), TrustedRootKey = emulator.TrustedRootKeyHex },
            Tunnel = tunnel ?? new TunnelOptions(),
            TunnelUrlGiven = tunnel is not null,
            Updates = updates ?? new UpdatesOptions { FailureFile = Path.Combine(stateDirectory, "no-update-failure") },
        };
        var store = await GatewayStore.OpenAsync(stateDirectory, time, NullLogger.Instance, CancellationToken.None);
        var host = GatewayHost.Build(settings, new SystemdSettings(null, null), store, TestLog.Create(output), time, configure);
        await host.StartAsync();
        return new InProcessGateway(host, store, settings);
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
        await store.DisposeAsync();
    }
}
