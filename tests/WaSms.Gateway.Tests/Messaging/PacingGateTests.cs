using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaSms.Core.State;
using WaSms.Gateway.Configuration;
using WaSms.Gateway.Control;
using WaSms.Gateway.Messaging.Pacing;
using WaSms.Storage;
using WaSms.WhatsApp.Messaging.Send;
using WaSms.WhatsApp.Store;

namespace WaSms.Gateway.Tests.Messaging;

/// <summary>
/// The acceptable-use gate over a real gateway database on a fake clock: the random gap, the caps that
/// hold jobs and release them in order when the window moves, the cooldown, the temp-ban pause, counts
/// that survive a restart, and the platform's settings over the configured ones.
/// </summary>
public sealed class PacingGateTests : IAsyncLifetime
{
    private const string Alice = "15550001111@s.whatsapp.net";
    private const string Bob = "15550002222@s.whatsapp.net";

    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
    private GatewayStateMachine _machine = null!;
    private GatewayStore _store = null!;

    public async Task InitializeAsync()
    {
        _machine = new GatewayStateMachine(_time, NullLogger<GatewayStateMachine>.Instance);
        _store = await OpenAsync();
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _dir.Dispose();
    }

    private Task<GatewayStore> OpenAsync() => GatewayStore.OpenAsync(_dir.Path, _time, NullLogger.Instance, CancellationToken.None);

    private PacingGate Gate(PacingOptions options, int seed = 1) =>
        new(options, _store, _machine, _time, new Random(seed), NullLogger<PacingGate>.Instance);

    private static PacingOptions NoGap(int hourly = 0, int daily = 0, TimeSpan cooldown = default) =>
        new() { MinGap = TimeSpan.Zero, MaxGap = TimeSpan.Zero, HourlyCap = hourly, DailyCap = daily, Cooldown = cooldown };

    private Task<OutboundMessage> EnqueueAsync(string to, string text) => _store.EnqueueOutboundAsync(null, to, text, CancellationToken.None);

    /// <summary>
    /// One pass the way the outbox makes it: pending jobs oldest first; a wait for every job ends the pass,
    /// a wait for one chat skips that chat's later jobs; a job that may go is marked sent now.
    /// </summary>
    /// <returns>The jobs sent, in order, and the earliest time a waiting job may be asked again.</returns>
    private async Task<(List<string> Sent, DateTimeOffset? Next)> PassAsync(PacingGate gate)
    {
        var sent = new List<string>();
        var waiting = new HashSet<string>();
        DateTimeOffset? next = null;
        foreach (var job in await _store.GetPendingOutboundAsync(100, CancellationToken.None))
        {
            if (waiting.Contains(job.To))
            {
                continue;
            }
            var decision = await gate.CheckAsync(job, CancellationToken.None);
            if (decision.Verdict is SendVerdict.WaitAll or SendVerdict.WaitChat)
            {
                next = next is { } n && n < decision.Until ? n : decision.Until;
                if (decision.Verdict == SendVerdict.WaitAll)
                {
                    break;
                }
                waiting.Add(job.To);
                continue;
            }
            var status = decision.Verdict == SendVerdict.Go ? MessageStatus.Sent : MessageStatus.Failed;
            await _store.UpdateOutboundStatusAsync(job.MessageId, status, _time.GetUtcNow(), decision.Reason, CancellationToken.None);
            if (status == MessageStatus.Sent)
            {
                await gate.OnSentAsync(job, _time.GetUtcNow(), CancellationToken.None);
                sent.Add(job.Text);
            }
        }
        return (sent, next);
    }

    [Fact]
    public async Task TheGapAfterEachSend_IsWithinTheRange_AndRandom()
    {
        var gate = Gate(new PacingOptions { MinGap = TimeSpan.FromSeconds(1), MaxGap = TimeSpan.FromSeconds(5) });
        for (var i = 0; i < 30; i++)
        {
            await EnqueueAsync(i % 2 == 0 ? Alice : Bob, $"m{i}");
        }

        var gaps = new List<TimeSpan>();
        var order = new List<string>();
        var (sent, next) = await PassAsync(gate);
        while (next is { } until)
        {
            order.AddRange(sent);
            var sentAt = _time.GetUtcNow();
            gaps.Add(until - sentAt);
            _time.Advance(until - sentAt - TimeSpan.FromMilliseconds(1));
            var early = await PassAsync(gate); // not a millisecond early
            Assert.Empty(early.Sent);
            Assert.Equal(until, early.Next);
            _time.Advance(TimeSpan.FromMilliseconds(1));
            (sent, next) = await PassAsync(gate);
        }
        order.AddRange(sent);

        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"m{i}"), order); // one at a time, in order
        Assert.Equal(29, gaps.Count);
        Assert.All(gaps, g => Assert.InRange(g, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)));
        Assert.True(gaps.Distinct().Count() > 20, "the gaps are drawn at random");
        Assert.True(gaps.Min() < TimeSpan.FromSeconds(2) && gaps.Max() > TimeSpan.FromSeconds(4), "the whole range is used");
    }

    [Fact]
    public async Task TheHourlyCap_HoldsJobs_AndReleasesThemInOrder_WhenTheWindowMoves()
    {
        var gate = Gate(NoGap(hourly: 3));
        string[] texts = ["a1", "b1", "a2", "b2", "a3", "b3", "a4"];
        foreach (var text in texts)
        {
            await EnqueueAsync(text[0] == 'a' ? Alice : Bob, text);
            if (text is "a1" or "b1" or "a2")
            {
                _time.Advance(TimeSpan.FromMinutes(10)); // each send at its own time in the window: 8:10, 8:20, 8:30
                Assert.Equal([text], (await PassAsync(gate)).Sent);
            }
        }
        var firstSend = new DateTimeOffset(2026, 12, 2, 8, 10, 0, TimeSpan.Zero);

        var (sent, next) = await PassAsync(gate);
        Assert.Empty(sent);
        Assert.Equal(firstSend.AddHours(1), next); // when the oldest of the three leaves the window
        var pause = await gate.GetPauseAsync(CancellationToken.None);
        Assert.Equal("hourly cap reached, next send at 2026-12-02 09:10:00Z", pause!.Reason);

        _time.SetUtcNow(next!.Value);
        var released = new List<string>();
        while (true)
        {
            (sent, next) = await PassAsync(gate);
            released.AddRange(sent);
            if (next is null)
            {
                break;
            }
            _time.SetUtcNow(next.Value);
        }

        Assert.Equal(["b2", "a3", "b3", "a4"], released); // nothing dropped, creation order kept
        Assert.Equal(0, await _store.CountPendingSendsAsync(CancellationToken.None));
        // The last three sends (9:20, 9:30, 10:10) fill the cap again: the next may go at 10:20.
        Assert.Equal("hourly cap reached, next send at 2026-12-02 10:20:00Z", (await gate.GetPauseAsync(CancellationToken.None))!.Reason);
        var events = await _store.ReadEventsAsync(0, 100, CancellationToken.None);
        Assert.DoesNotContain(events, e => e.Status?.Status == MessageStatus.Failed);
    }

    [Fact]
    public async Task TheDailyCap_CountsFromTheStore_SoItHoldsAcrossARestart()
    {
        await EnqueueAsync(Alice, "one");
        await EnqueueAsync(Bob, "two");
        await EnqueueAsync(Alice, "three");
        Assert.Equal(["one", "two"], (await PassAsync(Gate(NoGap(daily: 2)))).Sent);
        _time.Advance(TimeSpan.FromHours(5));

        // A restart: a new store over the same file and a new gate with nothing in memory.
        await _store.DisposeAsync();
        _store = await OpenAsync();
        var gate = Gate(NoGap(daily: 2));
        var (sent, next) = await PassAsync(gate);

        Assert.Empty(sent);
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero), next);
        Assert.StartsWith("daily cap reached, next send at 2026-12-03 08:00:00Z", (await gate.GetPauseAsync(CancellationToken.None))!.Reason, StringComparison.Ordinal);
        _time.SetUtcNow(next!.Value);
        Assert.Equal(["three"], (await PassAsync(gate)).Sent);
    }

    [Fact]
    public async Task TheGap_AlsoHoldsAcrossARestart()
    {
        await EnqueueAsync(Alice, "one");
        await EnqueueAsync(Bob, "two");
        var options = new PacingOptions { MinGap = TimeSpan.FromSeconds(3), MaxGap = TimeSpan.FromSeconds(3) };
        Assert.Equal(["one"], (await PassAsync(Gate(options))).Sent);

        await _store.DisposeAsync();
        _store = await OpenAsync();
        var (sent, next) = await PassAsync(Gate(options));

        Assert.Empty(sent);
        Assert.Equal(_time.GetUtcNow().AddSeconds(3), next);
    }

    [Fact]
    public async Task TheCooldown_HoldsOnlyThatRecipient_AndKeepsItsOrder()
    {
        var gate = Gate(NoGap(cooldown: TimeSpan.FromMinutes(2)));
        await EnqueueAsync(Alice, "a1");
        await EnqueueAsync(Alice, "a2");
        await EnqueueAsync(Bob, "b1");
        await EnqueueAsync(Alice, "a3");

        var (sent, next) = await PassAsync(gate);
        Assert.Equal(["a1", "b1"], sent);
        Assert.Equal(_time.GetUtcNow().AddMinutes(2), next);

        _time.Advance(TimeSpan.FromMinutes(2) - TimeSpan.FromSeconds(1));
        Assert.Empty((await PassAsync(gate)).Sent);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["a2"], (await PassAsync(gate)).Sent);
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(["a3"], (await PassAsync(gate)).Sent);
    }

    [Fact]
    public async Task WhileTempBanned_NothingIsSent_AndTheStatusSaysWhy_ThenSendingResumes()
    {
        var gate = Gate(NoGap());
        await EnqueueAsync(Alice, "held");
        Assert.True(_machine.TryFire(new StateChange(GatewayTrigger.Connect, "Connecting")));
        Assert.True(_machine.TryFire(new StateChange(GatewayTrigger.Banned, "Temporarily banned")));

        var (sent, next) = await PassAsync(gate);
        Assert.Empty(sent);
        Assert.Equal(_time.GetUtcNow() + PacingGate.BanRecheck, next);
        Assert.Equal(new PacingPause("sending paused: temporary ban", null), await gate.GetPauseAsync(CancellationToken.None));
        var report = new StatusReport("temp-banned", "Temporarily banned", _time.GetUtcNow(), 2, "1.0.0", 1, null, null, new Dictionary<string, long>(),
            new BoardReport("simulated", "none", false, "off", "on", "off", false), [], Pacing: new PacingReport(true, "sending paused: temporary ban", null));
        Assert.Contains("\nSending:  sending paused: temporary ban\n", WaSms.Gateway.Cli.StatusText.Format(report), StringComparison.Ordinal);

        _time.Advance(PacingGate.BanRecheck);
        Assert.Empty((await PassAsync(gate)).Sent); // still banned: asked again, still waiting
        Assert.True(_machine.TryFire(new StateChange(GatewayTrigger.Connect, "Connecting")));
        Assert.Equal(["held"], (await PassAsync(gate)).Sent);
        Assert.Null(await gate.GetPauseAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ThePlatformsSettings_ReplaceTheConfiguredOnes_AndBadOnesAreRefused()
    {
        var gate = Gate(new PacingOptions { HourlyCap = 10 });
        Assert.Equal(new PacingSettings(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), 10, 0, TimeSpan.Zero), await gate.GetSettingsAsync(CancellationToken.None));

        await _store.SetSettingAsync(PacingGate.SettingKey, """{"minGap":2,"maxGap":3.5,"dailyCap":1000,"cooldown":60,"future":true}""", CancellationToken.None);
        Assert.Equal(new PacingSettings(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3.5), 10, 1000, TimeSpan.FromMinutes(1)), await gate.GetSettingsAsync(CancellationToken.None));

        Assert.Null(gate.CheckPlatformSettings("""{"hourlyCap":0}"""));
        var configured = new PacingOptions { HourlyCap = 10 }.ToSettings();
        foreach (var bad in new[] { "{", "[1]", """{"minGap":6,"maxGap":5}""", """{"hourlyCap":-1}""", """{"hourlyCap":1.5}""", """{"cooldown":"60"}""", """{"maxGap":7200}""" })
        {
            Assert.NotNull(gate.CheckPlatformSettings(bad));
            await _store.SetSettingAsync(PacingGate.SettingKey, bad, CancellationToken.None);
            Assert.Equal(configured, await gate.GetSettingsAsync(CancellationToken.None));
        }
    }

    [Theory]
    [InlineData("00:00:06", "00:00:05", "Pacing:MinGap", "must not be above Pacing:MaxGap")]
    [InlineData("00:00:01", "02:00:00", "Pacing:MaxGap", "must be at most 3600 seconds")]
    public void BadGaps_AreRefusedAtStartUp_NamingTheKey(string min, string max, string key, string problem)
    {
        var refused = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(
            [("Pacing:MinGap", min, $"--Pacing:MinGap={min}"), ("Pacing:MaxGap", max, $"--Pacing:MaxGap={max}")], null, new System.Collections.Hashtable()));

        var line = Assert.Single(refused.Problems);
        Assert.Contains(key, line, StringComparison.Ordinal);
        Assert.Contains(problem, line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Pacing:HourlyCap", "-1", "must be 0 (no cap) or more")]
    [InlineData("Pacing:HourlyCap", "many", "not a whole number")]
    [InlineData("Pacing:Cooldown", "8.00:00:00", "must be between 0 (off) and 7 days")]
    [InlineData("Pacing:OptOutKeywords", "STOP, STOP!", "\"STOP!\" is not a keyword")]
    [InlineData("Pacing:OptInKeywords", "START, stop", "\"stop\" is also an opt-out keyword")]
    public void BadSettings_AreRefusedAtStartUp_WithOneLine(string key, string value, string problem)
    {
        var refused = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load([(key, value, $"--{key}={value}")], null, new System.Collections.Hashtable()));

        var line = Assert.Single(refused.Problems);
        Assert.StartsWith($"invalid configuration: {key} = \"{value}\" (from the command line (--{key}={value}))", line, StringComparison.Ordinal);
        Assert.Contains(problem, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadSettings_StopTheGatewayWithExit78()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await WaSms.Gateway.Cli.GatewayCli.RunAsync(["status", "--Pacing:DailyCap=-5"], new System.Collections.Hashtable(), stdout, stderr, CancellationToken.None);

        Assert.Equal(ExitCodes.Config, code);
        Assert.Equal("wasms-gateway: invalid configuration: Pacing:DailyCap = \"-5\" (from the command line (--Pacing:DailyCap)): must be 0 (no cap) or more",
            stderr.ToString().Trim());
    }
}
