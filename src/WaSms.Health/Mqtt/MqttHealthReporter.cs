using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using WaSms.Core.Health;
using WaSms.Core.State;
using WaSms.Core.Status;

namespace WaSms.Health.Mqtt;

/// <summary>
/// Reports the gateway's health over MQTT (docs/mqtt.md): retained <c>status</c> with the last will
/// <c>offline</c>, retained <c>state</c> on every change, periodic <c>telemetry</c>, <c>event</c>s and
/// Home Assistant discovery. MQTTnet 5 has no managed client, so this keeps its own connection:
/// one loop connects, retries with jittered exponential backoff on the injected clock, and after
/// every (re)connect publishes birth, discovery, state and telemetry again. Everything is published
/// from that one loop; observers only raise flags. Off (one log line) when <c>Mqtt:Host</c> is empty.
/// </summary>
/// <remarks>
/// By concern: this file starts and stops it; <c>.Connection.cs</c> connects, retries and goes offline;
/// <c>.Payloads.cs</c> builds and publishes the payloads; <c>.Observer.cs</c> watches the state
/// machine and the clock and queues events. The client comes from <see cref="IMqttClientFactory"/>,
/// so tests can run it without a broker.
/// </remarks>
public sealed partial class MqttHealthReporter : BackgroundService
{
    public const string Online = "online";
    public const string Offline = "offline";

    private const int StateFlag = 1;
    private const int TelemetryFlag = 2;
    private const int HomeAssistantFlag = 4;
    private const int DisconnectedFlag = 8;
    private const int EventFlag = 16;
    private const int MaxPendingEvents = 64;

    private readonly MqttOptions _options;
    private readonly GatewayIdentity _identity;
    private readonly GatewayStateMachine _machine;
    private readonly IGatewayStatusSource _status;
    private readonly ISystemMetrics _metrics;
    private readonly HealthCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger<MqttHealthReporter> _log;
    private readonly IMqttClientFactory _clients;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentQueue<EventPayload> _events = new();
    private readonly TaskCompletionSource<HealthTopics> _topics = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _pending;
    private long _eventSequence;
    private volatile GatewaySnapshot? _snapshot;
    private volatile bool _connected;
    private string? _lastState;
    private string? _lastUpdate;
    private string? _lastFailure;
    private BrokerCertificateCheck? _certificates;
    private volatile string? _lostReason;
    private readonly HashSet<string> _refusedTopics = new(StringComparer.Ordinal);

    public MqttHealthReporter(MqttOptions options, GatewayIdentity identity, GatewayStateMachine machine, IGatewayStatusSource status,
        ISystemMetrics metrics, HealthCounters counters, TimeProvider time, ILogger<MqttHealthReporter> log, IMqttClientFactory? clients = null)
    {
        _options = options;
        _identity = identity;
        _machine = machine;
        _status = status;
        _metrics = metrics;
        _counters = counters;
        _time = time;
        _log = log;
        _clients = clients ?? new MqttNetClientFactory();
    }

    /// <summary>The first reconnect delay (doubling up to <see cref="MaxBackoff"/>, jittered).</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>MQTT keep-alive: the broker publishes the will about 1.5 × this after the link dies silently.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Values that must never appear in a payload, besides the linked account (tests plant them here too).</summary>
    public IReadOnlyList<string> Secrets { get; init; } = [];

    /// <summary>The topics in use, once the gateway id is known.</summary>
    public Task<HealthTopics> Topics => _topics.Task;

    /// <summary>True while connected to the broker.</summary>
    public bool IsConnected => _connected;

    /// <summary>Connected or not, the last error and since when, for <c>status</c>.</summary>
    public MqttConnectionStatus Connection { get; init; } = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.Host.Length == 0)
        {
            _log.LogInformation("MQTT health reporting is off: no Mqtt:Host configured");
            _topics.TrySetCanceled(CancellationToken.None);
            return;
        }

        HealthTopics topics;
        MqttClientOptions clientOptions;
        try
        {
            var id = await _identity.GetAsync(stoppingToken);
            topics = HealthTopics.From(_options, id);
            clientOptions = BuildClientOptions(topics, _options.ClientId.Length > 0 ? _options.ClientId : id);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            // Health reporting must never take the gateway down with it.
            _log.LogError(ex, "MQTT health reporting is off: cannot prepare it ({Error})", ex.Message);
            _topics.TrySetCanceled(CancellationToken.None);
            return;
        }
        _log.LogInformation("MQTT health reporting to {Host}:{Port} (tls {Tls}) as {Prefix}", _options.Host, _options.Port, _options.Tls, topics.Prefix);
        Connection.Starting($"{_options.Host}:{_options.Port}{(_options.Tls ? " (TLS)" : "")}", _time.GetUtcNow());

        using var client = _clients.CreateClient();
        client.DisconnectedAsync += e =>
        {
            if (e.ClientWasConnected)
            {
                _lostReason = e.ReasonString is { Length: > 0 } text ? $"{e.Reason}, \"{text}\"" : e.Exception?.Message ?? e.Reason.ToString();
            }
            Raise(DisconnectedFlag);
            return Task.CompletedTask;
        };
        client.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.Topic == topics.HomeAssistantStatus
                && e.ApplicationMessage.ConvertPayloadToString() == Online)
            {
                Raise(HomeAssistantFlag);
            }
            return Task.CompletedTask;
        };

        using var loops = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        // Every snapshot in order, not just the newest (the newest alone would coalesce a quick
        // unpaired -> pairing -> connecting into one event); not a critical loop.
        using var observer = new StateFeed(_machine, _time, Observe);
        await observer.StartAsync(loops.Token);
        var ticker = TickAsync(loops.Token);
        AddEvent("started", null);
        _topics.TrySetResult(topics);
        // A hardware fault (a stuck button) is no state change: publish the state payload again now.
        EventHandler statusChanged = (_, _) => Raise(StateFlag);
        _status.Changed += statusChanged;
        try
        {
            await RunAsync(client, clientOptions, topics, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // clean stop below
        }
        finally
        {
            _status.Changed -= statusChanged;
            await loops.CancelAsync();
            await observer.StopAsync(CancellationToken.None);
            await observer.Completion; // an intake failure fails the reporter, as the host expects
            await ticker;
            await GoOfflineAsync(client, topics);
        }
    }

    private void Raise(int flag)
    {
        Interlocked.Or(ref _pending, flag);
        _wake.Writer.TryWrite(true);
    }
}
