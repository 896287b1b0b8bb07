using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaSms.Core.Health;
using WaSms.Core.State;
using WaSms.Health.Mqtt;

namespace WaSms.Health.Tests.Support;

/// <summary>
/// An <see cref="MqttHealthReporter"/> against a test broker, with a real state machine, a fake
/// status source, a fake /proc + /sys tree (a Raspberry Pi with throttling flags) and a fake clock.
/// </summary>
public sealed class ReporterHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();

    /// <summary>A reporter for a plain broker that is not (yet) listening on <paramref name="port"/>.</summary>
    public ReporterHarness(int port)
        : this(BrokerMode.Plain, "", port, null, null)
    {
    }

    public ReporterHarness(MosquittoBroker broker, Action<MqttOptions>? configure = null, IReadOnlyList<string>? secrets = null)
        : this(broker.Mode, broker.CaFile, broker.Port, configure, secrets)
    {
    }

    /// <summary>A reporter whose client comes from <paramref name="clients"/> (no broker, no socket).</summary>
    public ReporterHarness(IMqttClientFactory clients)
        : this(BrokerMode.Plain, "", 1883, null, null, clients)
    {
    }

    private ReporterHarness(BrokerMode mode, string caFile, int port, Action<MqttOptions>? configure, IReadOnlyList<string>? secrets,
        IMqttClientFactory? clients = null)
    {
        Root = Directory.CreateTempSubdirectory("wasms-health-root-").FullName;
        StateDirectory = Path.Combine(Root, "state");
        Directory.CreateDirectory(StateDirectory);
        FakeProcSys.Write(Root);
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        Machine = new GatewayStateMachine(Time, NullLogger<GatewayStateMachine>.Instance);
        Status = new FakeStatusSource(Machine, Time);
        Counters = new HealthCounters();
        Options = new MqttOptions { Host = "127.0.0.1", Port = port, TelemetrySeconds = 60 };
        if (mode == BrokerMode.Password)
        {
            Options.Username = MosquittoBroker.User;
            Options.Password = MosquittoBroker.Password;
        }
        if (mode == BrokerMode.Tls)
        {
            Options.Host = "localhost";
            Options.Tls = true;
            Options.CaFile = caFile;
        }
        configure?.Invoke(Options);
        Identity = new GatewayIdentity(StateDirectory, Root);
        Reporter = new MqttHealthReporter(Options, Identity, Machine, Status, new SystemMetrics(StateDirectory, Root, vcgencmd: null),
            Counters, Time, Log, clients)
        {
            InitialBackoff = TimeSpan.FromSeconds(1),
            MaxBackoff = TimeSpan.FromSeconds(4),
            Secrets = secrets ?? [],
        };
    }

    public string Root { get; }

    /// <summary>The reporter's log lines.</summary>
    public RecordingLogger<MqttHealthReporter> Log { get; } = new();

    public string StateDirectory { get; }

    public FakeTimeProvider Time { get; }

    public GatewayStateMachine Machine { get; }

    public FakeStatusSource Status { get; }

    public HealthCounters Counters { get; }

    public MqttOptions Options { get; }

    public GatewayIdentity Identity { get; }

    public MqttHealthReporter Reporter { get; }

    public async Task<HealthTopics> StartAsync()
    {
        await Reporter.StartAsync(_stop.Token);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await Reporter.Topics.WaitAsync(timeout.Token);
    }

    /// <summary>
    /// Waits (real time, moving the fake clock on so the backoff retries) until <c>status</c>'s MQTT
    /// last error satisfies <paramref name="predicate"/>; returns that error.
    /// </summary>
    public async Task<string> WaitForErrorAsync(Func<string, bool> predicate, TimeSpan? timeout = null)
    {
        string? found = null;
        await Eventually.UntilAsync(() => Reporter.Connection.Current?.LastError is { } error && predicate(found = error), timeout ?? Eventually.DefaultTimeout,
            "no matching MQTT error", () => $"last: {Reporter.Connection.Current?.LastError}\nlog:\n{string.Join("\n", Log.Lines)}",
            () => Time.Advance(TimeSpan.FromSeconds(1)));
        return found!;
    }

    /// <summary>
    /// Lets <paramref name="attempts"/> connection attempts fail, one after another: moves the fake clock
    /// on (past the backoff) until each has recorded its failure at a later time than the one before.
    /// </summary>
    public async Task FailedAttemptsAsync(int attempts)
    {
        for (var i = 1; i <= attempts; i++)
        {
            var last = Reporter.Connection.Current?.LastErrorAt;
            await Eventually.UntilAsync(() => Reporter.Connection.Current?.LastErrorAt is { } at && (last is null || at > last),
                Eventually.DefaultTimeout, $"connection attempt {i} failed", () => $"state: {Reporter.Connection.Current}\nlog:\n{string.Join("\n", Log.Lines)}",
                () => Time.Advance(TimeSpan.FromSeconds(1)));
        }
    }

    public async Task StopAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Reporter.StopAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Reporter.Dispose();
        _stop.Dispose();
        Directory.Delete(Root, recursive: true);
    }
}
