using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaSms.Core.Reset;
using WaSms.Core.State;

namespace WaSms.Core.Tests.Reset;

/// <summary>
/// The one entry point (<see cref="IResetRequests"/>, as <c>AddCore</c> wires it): the button, the CLI
/// and the tunnel's "reset gateway" ask here; each participant wipes what it owns once, in the order
/// registered; the question about undelivered items reaches every observer through the state.
/// </summary>
public sealed class ResetRequestsTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 4, 0, 0, TimeSpan.Zero));
    private readonly List<string> _calls = [];
    private readonly ServiceProvider _services;
    private readonly Counting _link;
    private readonly Counting _store;

    public ResetRequestsTests()
    {
        _link = new Counting("whatsapp link", _calls);
        _store = new Counting("local database", _calls);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(_time);
        services.AddCore();
        services.AddSingleton<IResetParticipant>(_link);
        services.AddSingleton<IResetParticipant>(_store);
        _services = services.BuildServiceProvider();
        var machine = Machine;
        machine.TryFire(new StateChange(GatewayTrigger.Connect, "connecting", Account: new LinkedAccount("15551234567@s.whatsapp.net")));
        machine.TryFire(new StateChange(GatewayTrigger.LinkUp, "online"));
    }

    private GatewayStateMachine Machine => _services.GetRequiredService<GatewayStateMachine>();

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    private sealed class Counting(string name, List<string> calls) : IResetParticipant
    {
        public int Undelivered { get; set; }

        public string Name => name;

        public Task<int> FlushAsync(ResetKind kind, CancellationToken cancellationToken) => Task.FromResult(Undelivered);

        public Task WipeAsync(ResetKind kind, CancellationToken cancellationToken)
        {
            calls.Add($"wipe {name} {kind}");
            Undelivered = 0;
            return Task.CompletedTask;
        }

        public Task ResumeAsync(ResetKind kind, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>An observer of the kind the display, LEDs, MQTT and systemd status are, recording what it sees.</summary>
    private sealed class Recorder(GatewayStateMachine machine, TimeProvider time, string name)
        : StateObserver(machine, liveness: null, time, name)
    {
        private readonly List<GatewaySnapshot> _seen = [];

        protected override bool EveryChange => true;

        public IReadOnlyList<GatewaySnapshot> Seen
        {
            get { lock (_seen) { return [.. _seen]; } }
        }

        protected override Task OnChangeAsync(GatewaySnapshot snapshot, CancellationToken cancellationToken)
        {
            lock (_seen)
            {
                _seen.Add(snapshot);
            }
            return Task.CompletedTask;
        }
    }

    private static async Task<T> EventuallyAsync<T>(Func<T?> probe, string what) where T : class
    {
        for (var i = 0; i < 1000; i++)
        {
            if (probe() is { } found)
            {
                return found;
            }
            await Task.Delay(10);
        }
        throw new TimeoutException(what);
    }

    [Fact]
    public async Task RequestedThroughTheEntryPoint_EachParticipantWipesOnce_InRegistrationOrder()
    {
        var requests = _services.GetRequiredService<IResetRequests>();
        Assert.Same(_services.GetRequiredService<ResetCoordinator>(), requests);

        var outcome = await requests.ResetAsync(ResetKind.Relink, "platform: reset gateway", CancellationToken.None);

        Assert.True(outcome.Completed);
        Assert.Equal(["wipe whatsapp link Relink", "wipe local database Relink"], _calls);
        Assert.Equal(GatewayState.Unpaired, Machine.Current.State);
    }

    [Fact]
    public async Task UndeliveredItems_TheQuestionReachesEveryObserver_UntilItLapses()
    {
        _store.Undelivered = 4;
        using var screen = new Recorder(Machine, _time, "screen");
        using var mqtt = new Recorder(Machine, _time, "mqtt");
        await screen.StartAsync(CancellationToken.None);
        await mqtt.StartAsync(CancellationToken.None);
        var requests = _services.GetRequiredService<IResetRequests>();

        var outcome = await requests.ResetAsync(ResetKind.FactoryReset, "wasms-gateway reset", CancellationToken.None);

        Assert.False(outcome.Completed);
        Assert.Empty(_calls);
        var expected = new ResetNotice(true, 4, _time.GetUtcNow() + ResetCoordinator.ConfirmationWindow);
        foreach (var observer in new[] { screen, mqtt })
        {
            var seen = await EventuallyAsync(() => observer.Seen.LastOrDefault(s => s.Notices is not null), "notice observed");
            Assert.Equal(GatewayState.Online, seen.State);
            Assert.Equal(expected, seen.OpenNotice<ResetNotice>(_time.GetUtcNow()));
        }

        // Later snapshots carry it while it is open, and drop it once it lapsed.
        Machine.TryFire(new StateChange(GatewayTrigger.LinkDown, "link lost"));
        Assert.Equal(expected, Machine.Current.OpenNotice<ResetNotice>(_time.GetUtcNow()));
        _time.Advance(ResetCoordinator.ConfirmationWindow);
        Assert.Null(Machine.Current.OpenNotice<ResetNotice>(_time.GetUtcNow()));
        Machine.TryFire(new StateChange(GatewayTrigger.LinkUp, "online"));
        Assert.Null(Machine.Current.Notices);

        await screen.StopAsync(CancellationToken.None);
        await mqtt.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task AskedAgainInTime_TheQuestionCloses_AndTheResetRuns()
    {
        _store.Undelivered = 2;
        var requests = _services.GetRequiredService<IResetRequests>();
        var first = await requests.ResetAsync(ResetKind.Relink, "button", CancellationToken.None);
        Assert.False(first.Completed);
        Assert.NotNull(Machine.Current.OpenNotice<ResetNotice>(_time.GetUtcNow()));

        _time.Advance(TimeSpan.FromSeconds(10));
        var second = await requests.ResetAsync(ResetKind.Relink, "button", CancellationToken.None);

        Assert.True(second.Completed);
        Assert.Equal(["wipe whatsapp link Relink", "wipe local database Relink"], _calls);
        Assert.Null(Machine.Current.OpenNotice<ResetNotice>(_time.GetUtcNow())); // not over the new QR for the rest of the window
    }

    [Fact]
    public void PostedNotice_IsANewSnapshotOfTheSameState_AndReplacesOneOfItsKind()
    {
        var machine = new GatewayStateMachine(_time, NullLogger<GatewayStateMachine>.Instance);
        var before = machine.Current;
        var first = new SetupNotice("timezone", 3, "unknown zone", _time.GetUtcNow().AddMinutes(2));
        var second = new SetupNotice("hostname", 2, "bad name", _time.GetUtcNow().AddMinutes(2));

        machine.Post(first);
        machine.Post(second);

        Assert.Equal(before.State, machine.Current.State);
        Assert.Equal(before.Reason, machine.Current.Reason);
        Assert.Equal(before.Sequence + 2, machine.Current.Sequence);
        Assert.Equal([second], machine.Current.Notices);
    }
}
