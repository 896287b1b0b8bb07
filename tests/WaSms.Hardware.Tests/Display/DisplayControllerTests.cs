using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaSms.Core.Liveness;
using WaSms.Core.State;
using WaSms.Hardware.Display;
using WaSms.Hardware.Imaging;
using WaSms.Hardware.Tests.Imaging;

namespace WaSms.Hardware.Tests.Display;

/// <summary>The display loop, one step at a time on a fake clock: what reaches the panel, when, and how.</summary>
public sealed class DisplayControllerTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(ScreenSamples.Now);
    private readonly RecordingBoard _board;
    private readonly string _stateDir = Path.Combine(Path.GetTempPath(), "wasms-display-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly FrameFile _frameFile;
    private readonly MutableStats _stats = new();
    private readonly DisplayController _controller;

    public DisplayControllerTests()
    {
        _board = new RecordingBoard(250, 122, _time);
        _frameFile = new FrameFile(_stateDir);
        var machine = new GatewayStateMachine(_time, NullLogger<GatewayStateMachine>.Instance);
        _controller = new DisplayController(machine, _board.Display, _board.Button, _frameFile, new LivenessMonitor(_time), _time,
            NullLogger<DisplayController>.Instance, _stats);
    }

    public void Dispose()
    {
        _controller.Dispose();
        if (Directory.Exists(_stateDir))
        {
            Directory.Delete(_stateDir, recursive: true);
        }
    }

    private sealed class MutableStats : IScreenStatsSource
    {
        public ScreenStats Value { get; set; } = new(0, 0, 0);

        public Task<ScreenStats> GetAsync(CancellationToken cancellationToken) => Task.FromResult(Value);
    }

    private static readonly LinkedAccount Account = new("491701234567@s.whatsapp.net", PushName: "Acme");

    private GatewaySnapshot Snapshot(GatewayState state, PairingInfo? pairing = null) =>
        new(state, state.ToName(), _time.GetUtcNow(), 1, pairing, state is GatewayState.Online ? Account : null);

    /// <summary>Steps the loop as its background service would: draw, then sleep as long as it asked (at most <paramref name="until"/>).</summary>
    private async Task RunUntilAsync(DateTimeOffset until)
    {
        while (true)
        {
            var sleep = await _controller.DrawOnceAsync(CancellationToken.None);
            var now = _time.GetUtcNow();
            if (now >= until)
            {
                return;
            }
            _time.Advance(now + sleep > until ? until - now : sleep);
        }
    }

    private Task RunForAsync(TimeSpan span) => RunUntilAsync(_time.GetUtcNow() + span);

    [Fact]
    public async Task NewQr_IsOnThePanelWithAFullRefreshWithinOneSecond_AndInTheFrameFile()
    {
        _controller.Observe(Snapshot(GatewayState.Online));
        await RunForAsync(TimeSpan.FromSeconds(1));
        var arrived = _time.GetUtcNow();
        var expires = arrived.AddSeconds(60);

        _controller.Observe(Snapshot(GatewayState.Unpaired, new PairingInfo(ScreenSamples.Qr, expires, RefNumber: 1, RefCount: 6)));
        await RunForAsync(TimeSpan.FromSeconds(1));

        var (frame, full, at) = _board.Refreshes[^1];
        Assert.True(full);
        Assert.True(at - arrived <= TimeSpan.FromSeconds(1), $"drawn {at - arrived} after arriving");
        Assert.Equal(ScreenSamples.Qr, FramePngTests.Zbar(_frameFile.Path));
        Assert.True(PngPixels.Decode(File.ReadAllBytes(_frameFile.Path)).SameAs(frame));

        // The next QR, straight after the previous refresh, is just as quick.
        var second = ScreenSamples.Qr.Replace("2@6b", "2@7c", StringComparison.Ordinal);
        arrived = _time.GetUtcNow();
        _controller.Observe(Snapshot(GatewayState.Unpaired, new PairingInfo(second, arrived.AddSeconds(20), RefNumber: 2, RefCount: 6)));
        await RunForAsync(TimeSpan.FromSeconds(1));
        Assert.True(_board.Refreshes[^1].Full);
        Assert.True(_board.Refreshes[^1].At - arrived <= TimeSpan.FromSeconds(1));
        Assert.Equal(second, FramePngTests.Zbar(_frameFile.Path));
    }

    [Fact]
    public async Task RapidStateChanges_DrawOnlyTheLatest()
    {
        _controller.Observe(Snapshot(GatewayState.Booting));
        _time.Advance(TimeSpan.FromMilliseconds(50));
        _controller.Observe(Snapshot(GatewayState.Connecting));
        _time.Advance(TimeSpan.FromMilliseconds(50));
        var online = Snapshot(GatewayState.Online);
        _controller.Observe(online);

        await RunForAsync(TimeSpan.FromSeconds(5));

        var refresh = Assert.Single(_board.Refreshes);
        Assert.True(refresh.Full);
        var expected = ScreenRenderer.Render(new ScreenModel(online, refresh.At, TimeZoneInfo.Utc, _stats.Value), 250, 122);
        Assert.True(expected.SameAs(refresh.Frame));
    }

    [Fact]
    public async Task CounterChange_IsAPartialRefresh_AfterTheMinimumInterval()
    {
        _controller.Observe(Snapshot(GatewayState.Online));
        await RunForAsync(TimeSpan.FromSeconds(1));
        var shownAt = _board.Refreshes[^1].At;

        _stats.Value = new ScreenStats(1, 0, 0);
        await RunUntilAsync(shownAt + TimeSpan.FromSeconds(59));
        Assert.True(_board.Refreshes.Count == 1, string.Join("; ", _board.Refreshes.Select(r => $"{r.At:HH:mm:ss.fff} {r.Full}")));

        await RunUntilAsync(shownAt + TimeSpan.FromSeconds(71));
        Assert.True(_board.Refreshes.Count == 2, string.Join("; ", _board.Refreshes.Select(r => $"{r.At:HH:mm:ss.fff} {r.Full}")));
        Assert.False(_board.Refreshes[^1].Full);
        Assert.True(_board.Refreshes[^1].At - shownAt >= TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Redraw_IsAFullRefreshOfTheSameScreen()
    {
        _controller.Observe(Snapshot(GatewayState.Online));
        await RunForAsync(TimeSpan.FromSeconds(1));

        _controller.RequestRedraw();
        await RunForAsync(TimeSpan.FromSeconds(1));

        Assert.Equal(2, _board.Refreshes.Count);
        Assert.True(_board.Refreshes[1].Full);
        Assert.True(_board.Refreshes[0].Frame.SameAs(_board.Refreshes[1].Frame));
    }

    [Fact]
    public async Task ButtonHeld_ShowsALiveCountdown_ReleasedEarly_TheScreenComesBack()
    {
        var online = Snapshot(GatewayState.Online);
        _controller.Observe(online);
        await RunForAsync(TimeSpan.FromSeconds(1));
        var normal = _board.Refreshes[^1].Frame;

        _board.Button.Press();
        var pressed = _time.GetUtcNow();
        await RunForAsync(TimeSpan.FromMilliseconds(900));
        Assert.Single(_board.Refreshes); // a short press does not flash a countdown

        await RunUntilAsync(pressed + TimeSpan.FromSeconds(3.5));
        var countdown = _board.Refreshes.Skip(1).ToList();
        Assert.Equal(3, countdown.Count); // held 1 s, 2 s, 3 s: "relink in 4, 3, 2 s"
        Assert.All(countdown, r => Assert.False(r.Full));
        for (var i = 0; i < countdown.Count; i++)
        {
            var held = TimeSpan.FromSeconds(i + 1);
            var expected = ScreenRenderer.Render(new ScreenModel(online, pressed + held, TimeZoneInfo.Utc, _stats.Value,
                new HoldProgress(countdown[i].At - pressed, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15))), 250, 122);
            Assert.True(expected.SameAs(countdown[i].Frame), $"countdown frame {i}");
            Assert.True(countdown[i].At - (pressed + held) <= TimeSpan.FromMilliseconds(300));
        }

        _board.Button.Release();
        await RunForAsync(TimeSpan.FromSeconds(1));
        Assert.True(_board.Refreshes[^1].Frame.SameAs(normal));
        Assert.False(_board.Refreshes[^1].Full);
    }

    [Fact]
    public async Task ButtonHeldPastRelink_CountsDownToTheFactoryReset()
    {
        _controller.Observe(Snapshot(GatewayState.Online));
        await RunForAsync(TimeSpan.FromSeconds(1));
        _board.Button.Press();
        var pressed = _time.GetUtcNow();

        await RunUntilAsync(pressed + TimeSpan.FromSeconds(6.5));

        var held = _board.Refreshes[^1].At - pressed;
        Assert.True(held >= TimeSpan.FromSeconds(6) && held < TimeSpan.FromSeconds(6.5));
        var expected = ScreenRenderer.Render(new ScreenModel(Snapshot(GatewayState.Online), _board.Refreshes[^1].At, TimeZoneInfo.Utc, _stats.Value,
            new HoldProgress(held, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15))), 250, 122);
        Assert.True(expected.SameAs(_board.Refreshes[^1].Frame));
    }

    [Fact]
    public async Task ResetQuestion_IsShownUntilItLapses()
    {
        _controller.Observe(Snapshot(GatewayState.Online));
        await RunForAsync(TimeSpan.FromSeconds(1));
        var normal = _board.Refreshes[^1].Frame;

        // The question travels in the state, as the reset coordinator puts it there.
        _controller.Observe(Snapshot(GatewayState.Online) with { Notices = [new ResetNotice(false, 3, _time.GetUtcNow() + TimeSpan.FromSeconds(60))] });
        await RunForAsync(TimeSpan.FromSeconds(1));
        var question = _board.Refreshes[^1];
        Assert.False(question.Frame.SameAs(normal));
        Assert.NotNull(_controller.Notice);

        await RunForAsync(TimeSpan.FromSeconds(61));
        Assert.Null(_controller.Notice);
        Assert.True(_board.Refreshes[^1].Frame.SameAs(normal));
    }
    [Fact]
    public async Task UpdateOffer_ReachesThePanel_AndGoesWhenWithdrawn()
    {
        var online = Snapshot(GatewayState.Online);
        _controller.Observe(online);
        await RunForAsync(TimeSpan.FromSeconds(1));
        var normal = _board.Refreshes[^1].Frame;

        // The offer travels in the state, as the tunnel's command handler (or the boot) posts it.
        var offered = online with { Sequence = 2, Notices = [new UpdateNotice("1.6.0")] };
        _controller.Observe(offered);
        await RunForAsync(TimeSpan.FromSeconds(61)); // an ordinary change: within the policy's minimum interval
        var shown = _board.Refreshes[^1];
        Assert.False(shown.Frame.SameAs(normal));
        Assert.True(ScreenRenderer.Render(new ScreenModel(offered, shown.At, TimeZoneInfo.Utc, _stats.Value), 250, 122).SameAs(shown.Frame));

        await RunForAsync(TimeSpan.FromDays(2)); // it does not lapse: whatever was drawn since still names it
        var later = _board.Refreshes[^1];
        Assert.True(ScreenRenderer.Render(new ScreenModel(offered, later.At, TimeZoneInfo.Utc, _stats.Value), 250, 122).SameAs(later.Frame));

        var withdrawn = online with { Sequence = 3 }; // as after GatewayStateMachine.Withdraw<UpdateNotice>()
        _controller.Observe(withdrawn);
        await RunForAsync(TimeSpan.FromSeconds(61)); // an ordinary change: within the policy's minimum interval
        var gone = _board.Refreshes[^1];
        Assert.True(gone.At > later.At, "the withdrawal was not drawn");
        Assert.True(ScreenRenderer.Render(new ScreenModel(withdrawn, gone.At, TimeZoneInfo.Utc, _stats.Value), 250, 122).SameAs(gone.Frame));
    }

    /// <summary>Issue 9 item 12: after <c>pair-code</c> the code replaced the QR only when the minimum interval (60 s) had passed.</summary>
    [Fact]
    public async Task PairingCode_ReplacesTheQrAtOnce_WithAFullRefresh()
    {
        var expires = _time.GetUtcNow().AddSeconds(60);
        _controller.Observe(Snapshot(GatewayState.Unpaired, new PairingInfo(ScreenSamples.Qr, expires, RefNumber: 1, RefCount: 6)));
        await RunForAsync(TimeSpan.FromSeconds(10));
        var qrShown = _board.Refreshes.Count;

        var arrived = _time.GetUtcNow();
        var code = Snapshot(GatewayState.Unpaired, new PairingInfo(null, PairingCode: "ABCD-EFGH"));
        _controller.Observe(code);
        await RunForAsync(TimeSpan.FromSeconds(1));

        Assert.Equal(qrShown + 1, _board.Refreshes.Count);
        var (frame, full, at) = _board.Refreshes[^1];
        Assert.True(full);
        Assert.True(at - arrived <= TimeSpan.FromSeconds(1), $"drawn {at - arrived} after arriving");
        Assert.True(ScreenRenderer.Render(new ScreenModel(code, at, TimeZoneInfo.Utc), 250, 122).SameAs(frame));

        // A second code (asked again) is just as urgent.
        arrived = _time.GetUtcNow();
        var second = Snapshot(GatewayState.Unpaired, new PairingInfo(null, PairingCode: "JKLM-NPQR"));
        _controller.Observe(second);
        await RunForAsync(TimeSpan.FromSeconds(1));
        Assert.True(_board.Refreshes[^1].At - arrived <= TimeSpan.FromSeconds(1));
        Assert.True(ScreenRenderer.Render(new ScreenModel(second, _board.Refreshes[^1].At, TimeZoneInfo.Utc), 250, 122).SameAs(_board.Refreshes[^1].Frame));
    }

    [Fact]
    public async Task QrExpiring_ShowsThePressForANewCodeScreenAtOnce()
    {
        var expires = _time.GetUtcNow().AddSeconds(20);
        _controller.Observe(Snapshot(GatewayState.Unpaired, new PairingInfo(ScreenSamples.Qr, expires, RefNumber: 6, RefCount: 6)));
        await RunUntilAsync(expires + TimeSpan.FromSeconds(1));

        var (frame, full, at) = _board.Refreshes[^1];
        Assert.True(at - expires <= TimeSpan.FromSeconds(1), $"drawn {at - expires} after the QR expired");
        Assert.True(full);
        var expired = ScreenRenderer.Render(new ScreenModel(Snapshot(GatewayState.Unpaired, new PairingInfo(ScreenSamples.Qr, expires, RefNumber: 6, RefCount: 6)), at, TimeZoneInfo.Utc), 250, 122);
        Assert.True(expired.SameAs(frame));
    }

    /// <summary>The same state with a new thing to do (a different fatal error, a new reason to link again) is urgent too.</summary>
    [Theory]
    [InlineData(GatewayState.Fatal)]
    [InlineData(GatewayState.RelinkNeeded)]
    [InlineData(GatewayState.Unpaired)]
    public async Task NewPromptInTheSameState_IsDrawnAtOnce(GatewayState state)
    {
        _controller.Observe(new GatewaySnapshot(state, "first problem", _time.GetUtcNow(), 1));
        await RunForAsync(TimeSpan.FromSeconds(5));
        var before = _board.Refreshes.Count;

        var arrived = _time.GetUtcNow();
        _controller.Observe(new GatewaySnapshot(state, "second problem", _time.GetUtcNow(), 2));
        await RunForAsync(TimeSpan.FromSeconds(1));

        Assert.Equal(before + 1, _board.Refreshes.Count);
        Assert.True(_board.Refreshes[^1].Full);
        Assert.True(_board.Refreshes[^1].At - arrived <= TimeSpan.FromSeconds(1));
    }

    /// <summary>An update offered while WhatsApp refuses this version changes what the customer is told: drawn at once.</summary>
    [Fact]
    public async Task ClientOutdated_AnOfferArriving_IsDrawnAtOnce()
    {
        var outdated = new GatewaySnapshot(GatewayState.ClientOutdated, "WhatsApp rejected client version 2.3000.1012 (405)", _time.GetUtcNow(), 1);
        _controller.Observe(outdated);
        await RunForAsync(TimeSpan.FromSeconds(5));
        var before = _board.Refreshes.Count;

        var arrived = _time.GetUtcNow();
        var offered = outdated with { Sequence = 2, Notices = [new UpdateNotice("1.6.0")] };
        _controller.Observe(offered);
        await RunForAsync(TimeSpan.FromSeconds(1));

        Assert.Equal(before + 1, _board.Refreshes.Count);
        Assert.True(_board.Refreshes[^1].At - arrived <= TimeSpan.FromSeconds(1));
        Assert.True(ScreenRenderer.Render(new ScreenModel(offered, _time.GetUtcNow(), TimeZoneInfo.Utc, _stats.Value), 250, 122).SameAs(_board.Refreshes[^1].Frame));
    }

    /// <summary>Update progress is no new prompt: the panel follows it at most once per minimum interval, with partial refreshes.</summary>
    [Fact]
    public async Task UpdateProgress_RefreshesAtMostOncePerMinimumInterval()
    {
        var updating = new GatewaySnapshot(GatewayState.Updating, "Installing update 1.6.0", _time.GetUtcNow(), 1,
            Notices: [new UpdateProgress("1.6.0", "installing", 0, "Copying image to rootfs.1")]);
        _controller.Observe(updating);
        await RunForAsync(TimeSpan.FromSeconds(5));
        var before = _board.Refreshes.Count;

        for (var percent = 5; percent <= 100; percent += 5)
        {
            _controller.Observe(updating with { Sequence = 1 + percent, Notices = [new UpdateProgress("1.6.0", "installing", percent, "Copying image to rootfs.1")] });
            await RunForAsync(TimeSpan.FromSeconds(3)); // the feed's pace: a post per 5 % every few seconds
        }

        var during = _board.Refreshes.Skip(before).ToList();
        Assert.InRange(during.Count, 1, 2); // 60 s of progress: one or two refreshes at the minimum interval, not 20
        Assert.All(during, r => Assert.False(r.Full));
    }

    /// <summary>A platform link that needs a person (revoked, a refused certificate) is drawn at once; one that only retries waits like the counters.</summary>
    [Fact]
    public async Task PlatformStopped_IsDrawnAtOnce_PlatformUnreachableIsNotUrgent()
    {
        var online = Snapshot(GatewayState.Online) with { Platform = new PlatformLink(PlatformLinkState.Connected, "", _time.GetUtcNow()) };
        _controller.Observe(online);
        await RunForAsync(TimeSpan.FromSeconds(5));
        Assert.Single(_board.Refreshes);

        _controller.Observe(online with { Sequence = 2, Platform = new PlatformLink(PlatformLinkState.Unreachable, "no answer", _time.GetUtcNow()) });
        await RunForAsync(TimeSpan.FromSeconds(30));
        Assert.Single(_board.Refreshes); // retried by itself: shown with the next non-urgent refresh

        var arrived = _time.GetUtcNow();
        var revoked = online with
        {
            Sequence = 3,
            Platform = new PlatformLink(PlatformLinkState.Stopped, "enrollment revoked: this gateway was removed from the dashboard", arrived),
        };
        _controller.Observe(revoked);
        await RunForAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(2, _board.Refreshes.Count);
        Assert.True(_board.Refreshes[^1].At - arrived <= TimeSpan.FromSeconds(1));
        var expected = ScreenRenderer.Render(new ScreenModel(revoked, _time.GetUtcNow(), TimeZoneInfo.Utc, _stats.Value), 250, 122);
        Assert.True(expected.SameAs(_board.Refreshes[^1].Frame), "the panel shows the online screen with the platform's bold line");
    }

    [Fact]
    public async Task OnlineCounters_StayNotUrgent()
    {
        _controller.Observe(Snapshot(GatewayState.Online));
        await RunForAsync(TimeSpan.FromSeconds(1));
        _stats.Value = new ScreenStats(5, 0, 0);
        await RunForAsync(TimeSpan.FromSeconds(30));
        Assert.Single(_board.Refreshes);
    }
}
