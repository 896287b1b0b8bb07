using WaSms.Core.State;
using WaSms.Storage;
using WaSms.Emulators.WhatsApp;

namespace WaSms.Gateway.Tests.Hosting;

/// <summary>
/// The emulator's faults, each driving the whole host's state machine to the state the customer
/// should see (issue #3 point 8): the host runs in this process against a linked emulated phone.
/// </summary>
public sealed class WhatsAppFaultTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly WaEmulator _emulator = new();
    private InProcessGateway _gateway = null!;
    private GatewayStateMachine _machine = null!;
    private GatewayStore _store = null!;

    public async Task InitializeAsync()
    {
        _emulator.Start();
        _gateway = await InProcessGateway.StartAsync(_emulator, _dir.Path, output);
        (_machine, _store) = (_gateway.Machine, _gateway.Store);

        var qr = await WaitForAsync(s => s.State == GatewayState.Unpaired && s.Pairing?.QrCode is not null);
        await new PhoneSimulator(_emulator, "15550009999").ScanAsync(qr.Pairing!.QrCode!, CancellationToken.None);
        await WaitForAsync(s => s.State == GatewayState.Online);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _emulator.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<GatewaySnapshot> WaitForAsync(Func<GatewaySnapshot, bool> match, int seconds = 20)
    {
        using var subscription = _machine.Subscribe();
        return await WaitForAsync(subscription, match, seconds);
    }

    private Task<GatewaySnapshot> WaitForAsync(StateSubscription subscription, Func<GatewaySnapshot, bool> match, int seconds = 20) =>
        subscription.WaitForAsync(_machine, match, seconds);

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(406)]
    public async Task LoginRefused_AfterReconnect_RelinkNeededAndSessionWiped(int code)
    {
        _emulator.FailLoginsWith = code;

        await _emulator.SendStreamErrorAsync(503, null, CancellationToken.None);

        var state = await WaitForAsync(s => s.State == GatewayState.RelinkNeeded);
        Assert.Contains($"({code}", state.Reason, StringComparison.Ordinal);
        await WaitForSessionWipedAsync();
        var handshakes = _emulator.HandshakeCount;
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(handshakes, _emulator.HandshakeCount); // no reconnect loop
    }

    [Fact]
    public async Task VersionRefused405_ClientOutdated()
    {
        _emulator.FailLoginsWith = 405;

        await _emulator.SendStreamErrorAsync(503, null, CancellationToken.None);

        var state = await WaitForAsync(s => s.State == GatewayState.ClientOutdated);
        Assert.Contains("405", state.Reason, StringComparison.Ordinal);
        Assert.NotEmpty(await _store.GetSecretsAsync(SecretScopes.WhatsApp, CancellationToken.None)); // still linked
    }

    [Theory]
    [InlineData(503)]
    [InlineData(515)]
    public async Task RetryableStreamError_ReconnectsToOnline(int code)
    {
        var handshakes = _emulator.HandshakeCount;

        await _emulator.SendStreamErrorAsync(code, null, CancellationToken.None);

        // 515 restarts straight into login without ever looking offline; 503 may pass through degraded.
        await WaitForReconnectAsync(handshakes);
        Assert.True(_emulator.HandshakeCount > handshakes, "the gateway did not reconnect");
        Assert.Equal(GatewayState.Online, _machine.Current.State);
    }

    [Fact]
    public async Task StreamError401_RelinkNeeded()
    {
        await _emulator.SendStreamErrorAsync(401, null, CancellationToken.None);

        var state = await WaitForAsync(s => s.State == GatewayState.RelinkNeeded);
        // The same gesture as the RelinkNeeded screen asks for ("Hold the button 5 s to link again").
        Assert.EndsWith("; hold the button 5 s to link again", state.Reason, StringComparison.Ordinal);
        await WaitForSessionWipedAsync();
    }

    [Fact]
    public async Task Conflict_StopsAndSaysSo_UntilTheButton()
    {
        await _emulator.SendStreamErrorAsync(null, "replaced", CancellationToken.None);

        var state = await WaitForAsync(s => s.Reason.Contains("replaced", StringComparison.Ordinal));
        Assert.True(state.State is GatewayState.Degraded or GatewayState.RelinkNeeded, state.ToString());
    }

    [Fact]
    public async Task CompressedFrames_AreReadLikePlainOnes_ReconnectAndLoginStayOnline()
    {
        _emulator.CompressFrames = true;
        var handshakes = _emulator.HandshakeCount;

        // 515 makes the gateway log in again, every node of which now arrives zlib-compressed.
        await _emulator.SendStreamErrorAsync(515, null, CancellationToken.None);

        await WaitForReconnectAsync(handshakes);
        Assert.Equal(GatewayState.Online, _machine.Current.State);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TruncatedFrame_DropsTheConnectionCleanlyAndReconnects(bool compressed)
    {
        var handshakes = _emulator.HandshakeCount;
        using var subscription = _machine.Subscribe(); // before the fault: the degraded moment is short

        Assert.Equal(1, await _emulator.SendTruncatedFrameAsync(compressed, CancellationToken.None));

        var down = await WaitForAsync(subscription, s => s.State == GatewayState.Degraded);
        Assert.Contains("connection lost", down.Reason, StringComparison.Ordinal);
        await WaitForReconnectAsync(handshakes);
        Assert.Equal(GatewayState.Online, _machine.Current.State);
    }

    [Theory]
    [InlineData(true, 24 * 1024 * 1024)] // a zlib bomb: ~24 KB on the wire, 24 MiB inflated (issue #9 item 6)
    [InlineData(false, 5 * 1024 * 1024)] // a plain frame over the 4 MiB frame limit
    public async Task OversizedFrame_IsAProtocolErrorThatDropsTheConnection_ThenReconnects(bool compressed, int size)
    {
        var handshakes = _emulator.HandshakeCount;
        using var subscription = _machine.Subscribe();

        Assert.Equal(1, await _emulator.SendOversizedFrameAsync(compressed, size, CancellationToken.None));

        var down = await WaitForAsync(subscription, s => s.State == GatewayState.Degraded);
        Assert.Contains("connection lost", down.Reason, StringComparison.Ordinal);
        await WaitForReconnectAsync(handshakes);
        Assert.Equal(GatewayState.Online, _machine.Current.State);
    }

    /// <summary>Waits until the gateway has made a new connection (a handshake after <paramref name="handshakes"/>) and is online on it.</summary>
    private Task WaitForReconnectAsync(int handshakes) =>
        Eventually.UntilAsync(() => _emulator.HandshakeCount > handshakes && _machine.Current.State == GatewayState.Online, Eventually.DefaultTimeout,
            "the gateway reconnected and is online", () => $"handshakes {_emulator.HandshakeCount} (before: {handshakes}); state: {_machine.Current}");

    private Task WaitForSessionWipedAsync() =>
        Eventually.UntilAsync(async () => (await _store.GetSecretsAsync(SecretScopes.WhatsApp, CancellationToken.None)).Count == 0,
            Eventually.DefaultTimeout, "the logged-out session wiped");
}
