using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaSms.Core.Reset;
using WaSms.Core.State;

namespace WaSms.Core.Tests.Reset;

public sealed class ResetCoordinatorTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly GatewayStateMachine _machine;
    private readonly List<string> _calls = [];
    private readonly RecordingParticipant _queue;
    private readonly RecordingParticipant _credentials;

    public ResetCoordinatorTests()
    {
        _queue = new RecordingParticipant("queue", _calls);
        _credentials = new RecordingParticipant("credentials", _calls);
        _machine = new GatewayStateMachine(_time, NullLogger<GatewayStateMachine>.Instance);
        _machine.TryFire(new StateChange(GatewayTrigger.Connect, "connecting", Account: new LinkedAccount("15551234567@s.whatsapp.net")));
        _machine.TryFire(new StateChange(GatewayTrigger.LinkUp, "online"));
    }

    private ResetCoordinator Create() =>
        new(_machine, [_queue, _credentials], _time, NullLogger<ResetCoordinator>.Instance);

    private ResetCoordinator Create(GatewayStateMachine machine, RecordingJournal journal) =>
        new(machine, [_queue, _credentials], _time, NullLogger<ResetCoordinator>.Instance, journal);

    [Fact]
    public async Task Reset_NothingUndelivered_WipesEveryoneAndShowsPairing()
    {
        using var reset = Create();

        var outcome = await reset.ResetAsync(ResetKind.Relink, "test", CancellationToken.None);

        Assert.True(outcome.Completed);
        Assert.Equal([ResetKind.Relink], _queue.Wiped);
        Assert.Equal([ResetKind.Relink], _credentials.Wiped);
        Assert.Equal(GatewayState.Unpaired, _machine.Current.State);
        Assert.Null(_machine.Current.Account);
    }

    [Fact]
    public async Task Reset_ResumesParticipantsOnlyAfterEveryWipe_AndAfterUnpaired()
    {
        using var reset = Create();
        _credentials.OnResume = () => _calls.Add("state " + _machine.Current.StateName);

        await reset.ResetAsync(ResetKind.Relink, "test", CancellationToken.None);

        Assert.Equal(["flush queue", "flush credentials", "wipe queue", "wipe credentials", "resume queue", "resume credentials", "state unpaired"], _calls);
    }

    [Fact]
    public async Task Reset_Cancelled_WipesAndResumesNobody()
    {
        _queue.Undelivered = 1;
        using var reset = Create();

        await reset.ResetAsync(ResetKind.Relink, "test", CancellationToken.None);

        Assert.Equal(["flush queue", "flush credentials"], _calls);
    }

    [Fact]
    public async Task Reset_Undelivered_StopsAndAsksThenSecondRequestDiscards()
    {
        _queue.Undelivered = 3;
        using var reset = Create();

        var first = await reset.ResetAsync(ResetKind.FactoryReset, "test", CancellationToken.None);

        Assert.False(first.Completed);
        Assert.Equal(3, first.Undelivered);
        Assert.Contains("3 undelivered", first.Message, StringComparison.Ordinal);
        Assert.Empty(_queue.Wiped);
        Assert.Equal(GatewayState.Online, _machine.Current.State);

        _time.Advance(TimeSpan.FromSeconds(30));
        var second = await reset.ResetAsync(ResetKind.FactoryReset, "test", CancellationToken.None);

        Assert.True(second.Completed);
        Assert.Equal([ResetKind.FactoryReset], _queue.Wiped);
        Assert.Equal(GatewayState.Unpaired, _machine.Current.State);
    }

    [Fact]
    public async Task Reset_QrPostedWhileAsking_DoesNotEndTheReset_TheQuestionStillReachesTheState()
    {
        // The link service keeps posting QR codes while unpaired; one arriving while the reset
        // flushes used to end the reset early (resetting -> unpaired), and the question was lost.
        var machine = new GatewayStateMachine(_time, NullLogger<GatewayStateMachine>.Instance);
        machine.TryFire(new StateChange(GatewayTrigger.NeedsPairing, "Scan the QR code", new PairingInfo("qr-1")));
        _queue.Undelivered = 1;
        var posted = false;
        _queue.OnFlush = () => posted = machine.TryFire(new StateChange(GatewayTrigger.NeedsPairing, "Scan the QR code", new PairingInfo("qr-2")));
        using var reset = new ResetCoordinator(machine, [_queue, _credentials], _time, NullLogger<ResetCoordinator>.Instance);

        var first = await reset.ResetAsync(ResetKind.FactoryReset, "test", CancellationToken.None);

        Assert.False(posted, "a QR posted while resetting must be ignored");
        Assert.False(first.Completed);
        Assert.Equal(GatewayState.Unpaired, machine.Current.State);
        var notice = Assert.Single(machine.Current.Notices!.OfType<ResetNotice>());
        Assert.Equal(1, notice.Undelivered);

        _queue.OnFlush = null;
        var second = await reset.ResetAsync(ResetKind.FactoryReset, "test", CancellationToken.None);

        Assert.True(second.Completed, second.Message);
        Assert.Equal(GatewayState.Unpaired, machine.Current.State);
    }

    [Fact]
    public async Task Reset_ConfirmationWindowExpired_AsksAgain()
    {
        _queue.Undelivered = 1;
        using var reset = Create();
        await reset.ResetAsync(ResetKind.Relink, "test", CancellationToken.None);

        _time.Advance(ResetCoordinator.ConfirmationWindow + TimeSpan.FromSeconds(1));
        var second = await reset.ResetAsync(ResetKind.Relink, "test", CancellationToken.None);

        Assert.False(second.Completed);
        Assert.Empty(_queue.Wiped);
    }

    [Fact]
    public async Task Reset_ConfirmationForOtherKind_DoesNotCount()
    {
        _queue.Undelivered = 1;
        using var reset = Create();
        await reset.ResetAsync(ResetKind.Relink, "test", CancellationToken.None);

        var factory = await reset.ResetAsync(ResetKind.FactoryReset, "test", CancellationToken.None);

        Assert.False(factory.Completed);
    }

    [Fact]
    public async Task Reset_WipeFails_GoesFatalAndThrows()
    {
        _credentials.FailWipe = true;
        using var reset = Create();

        await Assert.ThrowsAsync<IOException>(() => reset.ResetAsync(ResetKind.Relink, "test", CancellationToken.None));

        Assert.Equal(GatewayState.Fatal, _machine.Current.State);
        Assert.Contains("disk full", _machine.Current.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reset_RecordsTheIntentBeforeTheFirstWipe_ClearsItAfterTheLast()
    {
        var journal = new RecordingJournal(_calls);
        using var reset = Create(_machine, journal);

        await reset.ResetAsync(ResetKind.FactoryReset, "button", CancellationToken.None);

        Assert.Equal(["flush queue", "flush credentials", "record FactoryReset discard=False button", "wipe queue", "wipe credentials", "clear",
            "resume queue", "resume credentials"], _calls);
        Assert.Null(journal.Intent);
    }

    [Fact]
    public async Task Reset_StoppedForConfirmation_RecordsNothing_ThenRecordsTheConfirmedDiscard()
    {
        _queue.Undelivered = 2;
        var journal = new RecordingJournal(_calls);
        using var reset = Create(_machine, journal);

        await reset.ResetAsync(ResetKind.FactoryReset, "test", CancellationToken.None);
        Assert.DoesNotContain(_calls, c => c.StartsWith("record", StringComparison.Ordinal));

        _credentials.FailWipe = true; // stop after the first wipe, as a crash would
        await Assert.ThrowsAsync<IOException>(() => reset.ResetAsync(ResetKind.FactoryReset, "test", CancellationToken.None));

        Assert.Equal(new ResetIntent(ResetKind.FactoryReset, true, "test", _time.GetUtcNow()), journal.Intent);
        Assert.DoesNotContain("clear", _calls);
    }

    [Fact]
    public async Task Reset_RelinkWhileAFailedFactoryResetIsPending_DoesTheFactoryReset()
    {
        var machine = new GatewayStateMachine(_time, NullLogger<GatewayStateMachine>.Instance);
        var journal = new RecordingJournal(_calls) { Intent = new ResetIntent(ResetKind.FactoryReset, false, "button", _time.GetUtcNow()) };
        _credentials.FailWipe = true; // the factory wipe at boot fails: fatal, the journal keeps it
        using var reset = Create(machine, journal);
        Assert.False((await reset.FinishInterruptedAsync(CancellationToken.None))!.Completed);
        Assert.Equal(GatewayState.Fatal, machine.Current.State);
        _credentials.FailWipe = false;
        _calls.Clear();
        _queue.Wiped.Clear();

        var outcome = await reset.ResetAsync(ResetKind.Relink, "wasms-gateway reset", CancellationToken.None);

        Assert.True(outcome.Completed);
        Assert.Equal("Factory reset done; link WhatsApp again", outcome.Message);
        Assert.Equal([ResetKind.FactoryReset], _queue.Wiped);
        Assert.Equal([ResetKind.FactoryReset], _credentials.Wiped);
        Assert.Contains("record FactoryReset discard=False wasms-gateway reset", _calls);
        Assert.Null(journal.Intent);
    }

    [Fact]
    public async Task Reset_AlreadyRecordedAsDecided_IsNotAskedAgain()
    {
        // The platform's reset command records the reset (confirmed) with its answer, then asks for it.
        var journal = new RecordingJournal(_calls) { Intent = new ResetIntent(ResetKind.Relink, true, "the platform's reset command", _time.GetUtcNow()) };
        _queue.Undelivered = 3;
        using var reset = Create(_machine, journal);

        var outcome = await reset.ResetAsync(ResetKind.Relink, "the platform's reset command", CancellationToken.None);

        Assert.True(outcome.Completed, outcome.Message);
        Assert.Equal([ResetKind.Relink], _queue.Wiped);
        Assert.Null(journal.Intent);
    }

    [Fact]
    public async Task FinishInterrupted_NothingRecorded_DoesNothing()
    {
        var machine = new GatewayStateMachine(_time, NullLogger<GatewayStateMachine>.Instance);
        using var reset = Create(machine, new RecordingJournal(_calls));

        Assert.Null(await reset.FinishInterruptedAsync(CancellationToken.None));

        Assert.Empty(_calls);
        Assert.Equal(GatewayState.Booting, machine.Current.State);
    }

    [Theory]
    [InlineData(ResetKind.Relink, false)]
    [InlineData(ResetKind.FactoryReset, true)]
    public async Task FinishInterrupted_AtBoot_WipesTheSameKindWithoutAsking_ClearsTheJournal_EndsUnpaired(ResetKind kind, bool discardConfirmed)
    {
        var machine = new GatewayStateMachine(_time, NullLogger<GatewayStateMachine>.Instance);
        var journal = new RecordingJournal(_calls) { Intent = new ResetIntent(kind, discardConfirmed, "button", _time.GetUtcNow()) };
        _queue.Undelivered = 3; // asked (or nothing was queued) before it was recorded: no second question
        using var reset = Create(machine, journal);

        var outcome = await reset.FinishInterruptedAsync(CancellationToken.None);

        Assert.NotNull(outcome);
        Assert.True(outcome.Completed);
        Assert.Equal([kind], _queue.Wiped);
        Assert.Equal([kind], _credentials.Wiped);
        Assert.Equal(["flush queue", "flush credentials", "wipe queue", "wipe credentials", "clear", "resume queue", "resume credentials"], _calls);
        Assert.Null(journal.Intent);
        Assert.Equal(GatewayState.Unpaired, machine.Current.State);
        Assert.Equal($"{(kind == ResetKind.FactoryReset ? "Factory reset" : "Relink")} done; link WhatsApp again", machine.Current.Reason);
    }

    [Fact]
    public async Task FinishInterrupted_WipeFails_GoesFatal_KeepsTheJournalForNextTime()
    {
        var machine = new GatewayStateMachine(_time, NullLogger<GatewayStateMachine>.Instance);
        var intent = new ResetIntent(ResetKind.Relink, false, "button", _time.GetUtcNow());
        var journal = new RecordingJournal(_calls) { Intent = intent };
        _credentials.FailWipe = true;
        using var reset = Create(machine, journal);

        var outcome = await reset.FinishInterruptedAsync(CancellationToken.None);

        Assert.False(outcome!.Completed);
        Assert.Equal(GatewayState.Fatal, machine.Current.State);
        Assert.Contains("disk full", machine.Current.Reason, StringComparison.Ordinal);
        Assert.Equal(intent, journal.Intent);
    }

    private sealed class RecordingJournal(List<string> calls) : IResetJournal
    {
        public ResetIntent? Intent { get; set; }

        public Task<ResetIntent?> ReadAsync(CancellationToken cancellationToken) => Task.FromResult(Intent);

        public Task RecordAsync(ResetIntent intent, CancellationToken cancellationToken)
        {
            calls.Add($"record {intent.Kind} discard={intent.DiscardConfirmed} {intent.Origin}");
            Intent = intent;
            return Task.CompletedTask;
        }

        public Task ClearAsync(CancellationToken cancellationToken)
        {
            calls.Add("clear");
            Intent = null;
            return Task.CompletedTask;
        }
    }

    private sealed class RecordingParticipant(string name, List<string> calls) : IResetParticipant
    {
        public Action? OnResume { get; set; }

        public Action? OnFlush { get; set; }

        public int Undelivered { get; set; }

        public bool FailWipe { get; set; }

        public List<ResetKind> Wiped { get; } = [];

        public string Name => name;

        public Task<int> FlushAsync(ResetKind kind, CancellationToken cancellationToken)
        {
            calls.Add("flush " + name);
            OnFlush?.Invoke();
            return Task.FromResult(Undelivered);
        }

        public Task WipeAsync(ResetKind kind, CancellationToken cancellationToken)
        {
            if (FailWipe)
            {
                throw new IOException("disk full");
            }
            Wiped.Add(kind);
            calls.Add("wipe " + name);
            return Task.CompletedTask;
        }

        public Task ResumeAsync(ResetKind kind, CancellationToken cancellationToken)
        {
            calls.Add("resume " + name);
            OnResume?.Invoke();
            return Task.CompletedTask;
        }
    }
}
