using Microsoft.Extensions.Time.Testing;
using WaSms.Core.State;
using WaSms.Emulators.WhatsApp;

namespace WaSms.Gateway.Tests.Hosting;

/// <summary>
/// The emulator's dropped-ping fault through the whole host, on a fake clock: unanswered pings
/// show as degraded after the 10 s deadline, and the first answered ping brings it back online
/// without a new connection (docs/whatsapp.md §6.4).
/// </summary>
public sealed class WhatsAppKeepAliveHostTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly WaEmulator _emulator;
    private readonly ITestOutputHelper _output;
    private InProcessGateway _gateway = null!;
    private GatewayStateMachine _machine = null!;

    public WhatsAppKeepAliveHostTests(ITestOutputHelper output)
    {
        _output = output;
        _emulator = new WaEmulator(time: _time);
    }

    public async Task InitializeAsync()
    {
        _emulator.Start();
        _gateway = await InProcessGateway.StartAsync(_emulator, _dir.Path, _output, _time);
        _machine = _gateway.Machine;

        await WaitUntilAsync(() => _machine.Current is { State: GatewayState.Unpaired, Pairing.QrCode: not null });
        await new PhoneSimulator(_emulator, "15550007777").ScanAsync(_machine.Current.Pairing!.QrCode!, CancellationToken.None);
        await WaitUntilAsync(() => _machine.Current.State == GatewayState.Online);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _emulator.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task DroppedPings_DegradedAfterTheDeadline_AnsweredPingBringsItBackOnTheSameConnection()
    {
        Assert.Equal(GatewayState.Online, _machine.Current.State);
        var handshakes = _emulator.HandshakeCount;
        _emulator.DropPings = true;

        // A ping goes out within 30 s; 10 s without an answer is a failed ping.
        await AdvanceUntilAsync(() => _machine.Current.State == GatewayState.Degraded, TimeSpan.FromSeconds(45));
        Assert.Contains("has not answered pings", _machine.Current.Reason, StringComparison.Ordinal);
        Assert.True(_emulator.PingCount > 0);

        _emulator.DropPings = false;
        await AdvanceUntilAsync(() => _machine.Current.State == GatewayState.Online, TimeSpan.FromSeconds(45));
        Assert.Equal(handshakes, _emulator.HandshakeCount); // the same connection, not a reconnect
    }

    [Fact]
    public async Task PingsUnansweredForThreeMinutes_DropsTheConnectionAndReconnects()
    {
        var handshakes = _emulator.HandshakeCount;
        _emulator.DropPings = true;

        await AdvanceUntilAsync(() => _emulator.HandshakeCount > handshakes, TimeSpan.FromMinutes(5));

        _emulator.DropPings = false;
        await AdvanceUntilAsync(() => _machine.Current.State == GatewayState.Online, TimeSpan.FromSeconds(30));
        Assert.True(_emulator.HandshakeCount > handshakes);
    }

    /// <summary>Moves the fake clock a second at a time, letting the host's tasks run between steps.</summary>
    private async Task AdvanceUntilAsync(Func<bool> condition, TimeSpan limit)
    {
        for (var elapsed = TimeSpan.Zero; !condition(); elapsed += TimeSpan.FromSeconds(1))
        {
            Assert.True(elapsed <= limit, $"not reached within {limit} of fake time; state: {_machine.Current}");
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(15);
        }
    }

    private Task WaitUntilAsync(Func<bool> condition) =>
        Eventually.UntilAsync(condition, Eventually.DefaultTimeout, "the gateway's state", () => $"state: {_machine.Current}");
}
