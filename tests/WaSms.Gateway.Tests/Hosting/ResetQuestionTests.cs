using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using WaSms.Core.State;
using WaSms.Gateway.Configuration;
using WaSms.Gateway.Control;
using WaSms.Gateway.Hosting;
using WaSms.Gateway.Logging;
using WaSms.Hardware.Board;
using WaSms.Hardware.Display;
using WaSms.Storage;
using WaSms.WhatsApp.Emulator;

namespace WaSms.Gateway.Tests.Hosting;

/// <summary>
/// <c>wasms-gateway reset --factory</c> with an undelivered item: refused with the count, the same
/// question the button gets is on the screen, and asking again within the window discards it.
/// </summary>
public sealed class ResetQuestionTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly WaEmulator _emulator = new();
    private IHost _host = null!;
    private GatewayStore _store = null!;
    private GatewaySettings _settings = null!;

    public async Task InitializeAsync()
    {
        _emulator.Start();
        _settings = new GatewaySettings
        {
            Gateway = new GatewayOptions { StateDirectory = _dir.Path },
            Board = new BoardOptions { Kind = BoardKind.Simulated },
            WhatsApp = new WhatsAppOptions { ServerUrl = _emulator.Uri.ToString(), TrustedRootKey = _emulator.TrustedRootKeyHex },
        };
        _store = await GatewayStore.OpenAsync(_dir.Path, TimeProvider.System, NullLogger.Instance, CancellationToken.None);
        _host = GatewayHost.Build(_settings, new SystemdSettings(null, null), _store,
            RunCommand.CreateLogger(new LogOptions(), new SecretRedactor()), TimeProvider.System);
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        await _emulator.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task CliFactoryReset_WithUndelivered_AsksOnScreen_SecondRequestDiscards()
    {
        Assert.True(await _store.EnqueueAsync("outbox", "msg-1", [1, 2, 3], CancellationToken.None));
        var display = _host.Services.GetRequiredService<DisplayController>();
        var machine = _host.Services.GetRequiredService<GatewayStateMachine>();
        var socket = _settings.Gateway.ControlSocketPath;

        var first = await ControlClient.SendAsync(socket, new ControlRequest("reset", Factory: true), TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.False(first.Ok);
        Assert.Contains("1 undelivered", first.Message, StringComparison.Ordinal);
        var notice = display.Notice;
        Assert.NotNull(notice);
        Assert.True(notice.FactoryReset);
        Assert.Equal(1, notice.Undelivered);

        var second = await ControlClient.SendAsync(socket, new ControlRequest("reset", Factory: true), TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.True(second.Ok, second.Message);
        Assert.Equal(0, (await _store.GetQueueDepthsAsync(CancellationToken.None)).Values.Sum());
        Assert.Equal(GatewayState.Unpaired, machine.Current.State);
    }
}
