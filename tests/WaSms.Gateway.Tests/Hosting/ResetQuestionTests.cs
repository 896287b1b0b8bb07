using WaSms.Core.State;
using WaSms.Gateway.Control;
using WaSms.Hardware.Display;
using WaSms.Emulators.WhatsApp;

namespace WaSms.Gateway.Tests.Hosting;

/// <summary>
/// <c>wasms-gateway reset --factory</c> with an undelivered item: refused with the count, the same
/// question the button gets is on the screen, and asking again within the window discards it.
/// </summary>
public sealed class ResetQuestionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly WaEmulator _emulator = new();
    private InProcessGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _emulator.Start();
        _gateway = await InProcessGateway.StartAsync(_emulator, _dir.Path, output);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _emulator.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task CliFactoryReset_WithUndelivered_AsksOnScreen_SecondRequestDiscards()
    {
        Assert.True(await _gateway.Store.EnqueueAsync("outbox", "msg-1", [1, 2, 3], CancellationToken.None));
        var display = _gateway.Get<DisplayController>();
        var socket = _gateway.Settings.Gateway.ControlSocketPath;

        var first = await ControlClient.SendAsync(socket, new ControlRequest("reset", Factory: true), TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.False(first.Ok);
        Assert.Contains("1 undelivered", first.Message, StringComparison.Ordinal);
        // The display observes the state on its own loop: the question reaches it shortly after the answer.
        var notice = await Eventually.ValueAsync(() => display.Notice, Eventually.DefaultTimeout, "the reset question on the display");
        Assert.True(notice.FactoryReset);
        Assert.Equal(1, notice.Undelivered);

        var second = await ControlClient.SendAsync(socket, new ControlRequest("reset", Factory: true), TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.True(second.Ok, second.Message);
        Assert.Equal(0, (await _gateway.Store.GetQueueDepthsAsync(CancellationToken.None)).Values.Sum());
        Assert.Equal(GatewayState.Unpaired, _gateway.Machine.Current.State);
    }
}
