using System.Device.Gpio;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaSms.Core.Liveness;
using WaSms.Core.Requests;
using WaSms.Core.Reset;
using WaSms.Core.State;
using WaSms.Hardware.Button;
using WaSms.Hardware.Display;
using WaSms.Hardware.Pi;
using WaSms.Hardware.Tests.Display;
using WaSms.Hardware.Tests.Fakes;

namespace WaSms.Hardware.Tests.Button;

/// <summary>The button through the real reset path: GPIO levels in, state changes and screen questions out.</summary>
public sealed class ButtonControllerTests : IAsyncLifetime
{
    private const int Pin = 26;
    private readonly FakeTimeProvider _time = new(ScreenSamples.Now);
    private readonly FakeGpioDriver _driver = new();
    private readonly RecordingBoard _board;
    private readonly GatewayStateMachine _machine;
    private readonly Participant _participant = new();
    private readonly ResetCoordinator _reset;
    private readonly DisplayController _display;
    private readonly ButtonController _button;
    private readonly string _stateDir = Path.Combine(Path.GetTempPath(), "wasms-button-" + Guid.NewGuid().ToString("N")[..8]);

    public ButtonControllerTests()
    {
        _board = new RecordingBoard(250, 122, _time);
        _machine = new GatewayStateMachine(_time, NullLogger<GatewayStateMachine>.Instance);
        var liveness = new LivenessMonitor(_time);
        _reset = new ResetCoordinator(_machine, [_participant], _time, NullLogger<ResetCoordinator>.Instance);
        _display = new DisplayController(_machine, _board.Display, _board.Button, new FrameFile(_stateDir), liveness, _time, NullLogger<DisplayController>.Instance);
        _button = new ButtonController(_board.Button, _reset, new UserRequests(), liveness, _time, _log, _machine);
    }

    private readonly CapturingLogger _log = new();

    private sealed class CapturingLogger : Microsoft.Extensions.Logging.ILogger<ButtonController>
    {
        private readonly List<(Microsoft.Extensions.Logging.LogLevel Level, string Text)> _lines = [];

        public IReadOnlyList<(Microsoft.Extensions.Logging.LogLevel Level, string Text)> Lines { get { lock (_lines) { return [.. _lines]; } } }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            lock (_lines)
            {
                _lines.Add((logLevel, formatter(state, exception)));
            }
        }
    }

    public async Task InitializeAsync() => await _button.StartAsync(CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _button.StopAsync(CancellationToken.None);
        _button.Dispose();
        _display.Dispose();
        _reset.Dispose();
        if (Directory.Exists(_stateDir))
        {
            Directory.Delete(_stateDir, recursive: true);
        }
    }

    private sealed class Participant : IResetParticipant
    {
        public int Undelivered { get; set; }

        public List<ResetKind> Wipes { get; } = [];

        public string Name => "test queue";

        public Task<int> FlushAsync(ResetKind kind, CancellationToken cancellationToken) => Task.FromResult(Undelivered);

        public Task WipeAsync(ResetKind kind, CancellationToken cancellationToken)
        {
            lock (Wipes)
            {
                Wipes.Add(kind);
            }
            Undelivered = 0;
            return Task.CompletedTask;
        }

        public Task ResumeAsync(ResetKind kind, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Waits (without a deadline on the clock under test) until the reset path running on the button loop got somewhere.</summary>
    private static Task EventuallyAsync(Func<bool> condition, string what) =>
        Eventually.UntilAsync(condition, Eventually.DefaultTimeout, what);

    private void Fire(GatewayTrigger trigger, LinkedAccount? account = null) =>
        Assert.True(_machine.TryFire(new StateChange(trigger, trigger.ToString(), Account: account)));

    [Fact]
    public async Task HeldAtPowerOnFor15s_FactoryResetsAGatewayStuckInFatal()
    {
        _driver.SetInput(Pin, PinValue.Low); // held while the service starts
        using var gpio = new GpioController(_driver);
        using var source = new GpioButtonSource(gpio, Pin, _board.Button, TimeSpan.FromMilliseconds(50), _time);
        Fire(GatewayTrigger.Fail);

        _time.Advance(TimeSpan.FromSeconds(15));
        _driver.SetInput(Pin, PinValue.High);
        _time.Advance(TimeSpan.FromMilliseconds(50));

        await EventuallyAsync(() => _participant.Wipes.Count == 1 && _machine.Current.State == GatewayState.Unpaired, "factory reset done");
        Assert.Equal([ResetKind.FactoryReset], _participant.Wipes);
    }

    [Fact]
    public async Task HeldAtPowerOn_ReleasedWhileStillBooting_ResetsOnceTheBootEnds()
    {
        _driver.SetInput(Pin, PinValue.Low);
        using var gpio = new GpioController(_driver);
        using var source = new GpioButtonSource(gpio, Pin, _board.Button, TimeSpan.FromMilliseconds(50), _time);

        _time.Advance(TimeSpan.FromSeconds(16));
        _driver.SetInput(Pin, PinValue.High);
        _time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal(GatewayState.Booting, _machine.Current.State);
        Assert.Empty(_participant.Wipes);

        Fire(GatewayTrigger.Connect);

        await EventuallyAsync(() => _participant.Wipes.Count == 1 && _machine.Current.State == GatewayState.Unpaired, "factory reset after boot");
        Assert.Equal([ResetKind.FactoryReset], _participant.Wipes);
    }

    [Fact]
    public async Task StuckFromPowerOn_ReleasedAt120s_NeverResets_AndALater5sHoldRelinks()
    {
        Fire(GatewayTrigger.Connect);
        Fire(GatewayTrigger.LinkUp, new LinkedAccount("491701234567@s.whatsapp.net"));
        _driver.SetInput(Pin, PinValue.Low); // e.g. QEMU's GPIO inputs: read 0 from the start
        using var gpio = new GpioController(_driver);
        using var source = new GpioButtonSource(gpio, Pin, _board.Button, TimeSpan.FromMilliseconds(50), _time);
        var since = _time.GetUtcNow();

        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(since, _board.Button.StuckSince);
        _display.Observe(_machine.Current);
        await _display.DrawOnceAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1));
        await _display.DrawOnceAsync(CancellationToken.None);
        var hint = ScreenRenderer.Render(new ScreenModel(_machine.Current, _time.GetUtcNow(), TimeZoneInfo.Utc, ButtonStuck: true), 250, 122);
        Assert.True(hint.SameAs(_board.Refreshes[^1].Frame)); // the state's screen with the hint, no countdown
        Assert.False(hint.SameAs(ScreenRenderer.Render(new ScreenModel(_machine.Current, _time.GetUtcNow(), TimeZoneInfo.Utc), 250, 122)));

        _time.Advance(TimeSpan.FromSeconds(59));
        _driver.SetInput(Pin, PinValue.High);
        _time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Null(_board.Button.StuckSince);
        var warning = Assert.Single(_log.Lines, l => l.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.Equal("Button (not on GPIO) has read pressed for 60 s: treated as stuck, holds ignored until it is released; check the wiring", warning.Text);
        Assert.Single(_log.Lines, l => l.Text.Contains("no longer stuck", StringComparison.Ordinal));

        // Gestures are acted on in order: had the release been a factory reset, it would come first.
        var hold = _board.Button.PressAndReleaseAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(ButtonGesture.Relink, await hold);
        await EventuallyAsync(() => _participant.Wipes.Count == 1 && _machine.Current.State == GatewayState.Unpaired, "relink");
        Assert.Equal([ResetKind.Relink], _participant.Wipes);
    }

    [Fact]
    public async Task RelinkWithUndeliveredItems_AsksOnScreen_ASecondHoldDiscardsThem()
    {
        Fire(GatewayTrigger.Connect);
        Fire(GatewayTrigger.LinkUp, new LinkedAccount("491701234567@s.whatsapp.net"));
        _participant.Undelivered = 3;

        var first = _board.Button.PressAndReleaseAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(ButtonGesture.Relink, await first);

        await EventuallyAsync(() => _display.Notice is not null, "question on screen");
        Assert.Equal(new ResetNotice(false, 3, _time.GetUtcNow() + ResetCoordinator.ConfirmationWindow), _display.Notice);
        Assert.Equal(GatewayState.Online, _machine.Current.State);
        Assert.Empty(_participant.Wipes);
        _display.Observe(_machine.Current);
        await _display.DrawOnceAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1));
        await _display.DrawOnceAsync(CancellationToken.None);
        var expected = ScreenRenderer.Render(new ScreenModel(_machine.Current, _time.GetUtcNow(), TimeZoneInfo.Utc, Notice: _display.Notice), 250, 122);
        Assert.True(expected.SameAs(_board.Refreshes[^1].Frame));

        _time.Advance(TimeSpan.FromSeconds(10));
        var second = _board.Button.PressAndReleaseAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(ButtonGesture.Relink, await second);

        await EventuallyAsync(() => _participant.Wipes.Count == 1 && _machine.Current.State == GatewayState.Unpaired, "relink after confirmation");
    }
}
