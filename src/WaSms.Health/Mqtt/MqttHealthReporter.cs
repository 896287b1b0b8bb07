using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
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
public sealed class MqttHealthReporter : BackgroundService
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
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentQueue<EventPayload> _events = new();
    private readonly TaskCompletionSource<HealthTopics> _topics = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _pending;
    private long _eventSequence;
    private volatile GatewaySnapshot? _snapshot;
    private volatile bool _connected;
    private string? _lastState;
    private string? _lastFailure;
    private BrokerCertificateCheck? _certificates;
    private volatile string? _lostReason;
    private readonly HashSet<string> _refusedTopics = new(StringComparer.Ordinal);

    public MqttHealthReporter(MqttOptions options, GatewayIdentity identity, GatewayStateMachine machine, IGatewayStatusSource status,
        ISystemMetrics metrics, HealthCounters counters, TimeProvider time, ILogger<MqttHealthReporter> log)
    {
        _options = options;
        _identity = identity;
        _machine = machine;
        _status = status;
        _metrics = metrics;
        _counters = counters;
        _time = time;
        _log = log;
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

        using var client = new MqttClientFactory().CreateMqttClient();
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
        var observer = ObserveStateAsync(loops.Token);
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
            await Task.WhenAll(observer, ticker);
            await GoOfflineAsync(client, topics);
        }
    }

    private async Task RunAsync(IMqttClient client, MqttClientOptions clientOptions, HealthTopics topics, CancellationToken cancellationToken)
    {
        var attempt = 0;
        var everConnected = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!client.IsConnected)
            {
                _connected = false;
                Interlocked.And(ref _pending, ~DisconnectedFlag);
                _certificates?.Reset();
                try
                {
                    var connect = await client.ConnectAsync(clientOptions, cancellationToken);
                    if (connect.ResultCode != MqttClientConnectResultCode.Success)
                    {
                        throw new BrokerRefusedException(BrokerFailure.LoginRefused(connect));
                    }
                    _refusedTopics.Clear();
                    _lostReason = null;
                    var subscribed = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                        .WithTopicFilter(topics.HomeAssistantStatus, MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken);
                    // A broker may refuse a denied subscription in the SUBACK (MQTT 5 reason 0x87); mosquitto 2
                    // grants it and then delivers nothing, so there it goes unnoticed (docs/mqtt.md).
                    if (subscribed.Items.FirstOrDefault() is { } item && (int)item.ResultCode > (int)MqttClientSubscribeResultCode.GrantedQoS2)
                    {
                        Refused(topics.HomeAssistantStatus, $"the broker refused the subscription to {topics.HomeAssistantStatus} ({item.ResultCode}); "
                            + "Home Assistant restarts will not trigger a new discovery");
                    }
                    if (everConnected)
                    {
                        _counters.MqttReconnected();
                        AddEvent("mqtt-reconnected", null, _counters.MqttReconnects);
                    }
                    _lastState = null;
                    await PublishEverythingAsync(client, topics, cancellationToken);
                    if (_refusedTopics.Count == 0)
                    {
                        _log.LogInformation("MQTT connected to {Host}:{Port}; birth, discovery, state and telemetry published", _options.Host, _options.Port);
                    }
                    else
                    {
                        _log.LogWarning("MQTT connected to {Host}:{Port}, but the broker refused {Topics} (see above)", _options.Host, _options.Port,
                            string.Join(", ", _refusedTopics));
                    }
                    everConnected = true;
                    _connected = true;
                    _lastFailure = null;
                    Connection.Connected(_time.GetUtcNow());
                    attempt = 0;
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    // Broker unreachable, refused, TLS failure, or the status source failed while
                    // publishing the birth set: never fatal for the gateway; back off and retry.
                    if (!IsTransient(ex))
                    {
                        _log.LogError(ex, "MQTT health report failed after connecting");
                    }
                    if (client.IsConnected)
                    {
                        // Half published: drop the link with the will, so "online" is not left behind, and start over.
                        await client.TryDisconnectAsync(MqttClientDisconnectOptionsReason.DisconnectWithWillMessage);
                    }
                    var delay = Backoff.Next(attempt++, InitialBackoff, MaxBackoff, Random.Shared.NextDouble());
                    var cause = BrokerFailure.Describe(ex, _options, _certificates);
                    Connection.Failed(cause, _time.GetUtcNow());
                    if (cause != _lastFailure)
                    {
                        // Each new cause once as a warning; the same cause again only at debug level.
                        _log.LogWarning("MQTT cannot connect to {Host}:{Port}: {Cause}; retrying with backoff", _options.Host, _options.Port, cause);
                        _lastFailure = cause;
                    }
                    else
                    {
                        _log.LogDebug("MQTT connect attempt {Attempt} failed ({Cause}); next in {Delay}", attempt, cause, delay);
                    }
                    await Task.Delay(delay, _time, cancellationToken);
                }
                continue;
            }

            await _wake.Reader.ReadAsync(cancellationToken);
            var flags = Interlocked.Exchange(ref _pending, 0);
            if (!client.IsConnected)
            {
                var lost = $"connection lost ({_lostReason ?? "closed"})";
                _log.LogWarning("MQTT connection to {Host}:{Port} lost ({Reason}); reconnecting", _options.Host, _options.Port, _lostReason ?? "closed");
                _connected = false;
                Connection.Failed(lost, _time.GetUtcNow());
                _lastFailure = null;
                Interlocked.Or(ref _pending, flags & ~DisconnectedFlag);
                continue;
            }
            try
            {
                if ((flags & HomeAssistantFlag) != 0)
                {
                    // Home Assistant restarted: it wants discovery again, then the current state.
                    _lastState = null;
                    await PublishAsync(client, topics.Status, Online, retain: true, cancellationToken);
                    await PublishDiscoveryAsync(client, topics, cancellationToken);
                }
                if ((flags & (StateFlag | HomeAssistantFlag | TelemetryFlag)) != 0)
                {
                    await PublishStateAsync(client, topics, cancellationToken);
                }
                if ((flags & TelemetryFlag) != 0)
                {
                    await PublishTelemetryAsync(client, topics, cancellationToken);
                }
                await PublishEventsAsync(client, topics, cancellationToken);
            }
            catch (Exception ex) when (IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                _log.LogWarning("MQTT publish failed ({Error}); will retry after reconnect", ex.Message);
                Interlocked.Or(ref _pending, StateFlag);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // Not a network failure (the status source or the store failed): health reporting must
                // never stop the gateway, so log it, wait a little and go on.
                _log.LogError(ex, "MQTT health report failed");
                await Task.Delay(MaxBackoff, _time, cancellationToken);
                Interlocked.Or(ref _pending, StateFlag);
            }
        }
    }

    private async Task PublishEverythingAsync(IMqttClient client, HealthTopics topics, CancellationToken cancellationToken)
    {
        await PublishAsync(client, topics.Status, Online, retain: true, cancellationToken);
        await PublishDiscoveryAsync(client, topics, cancellationToken);
        await PublishStateAsync(client, topics, cancellationToken);
        await PublishTelemetryAsync(client, topics, cancellationToken);
        await PublishEventsAsync(client, topics, cancellationToken);
    }

    private async Task PublishDiscoveryAsync(IMqttClient client, HealthTopics topics, CancellationToken cancellationToken)
    {
        var status = await _status.GetAsync(cancellationToken);
        var sample = await _metrics.SampleAsync(cancellationToken);
        var payload = HomeAssistantDiscovery.Build(topics, status.FirmwareVersion, status.BoardKind, _options.TelemetrySeconds, sample);
        await PublishAsync(client, topics.Discovery, JsonSerializer.Serialize(payload, HealthJsonContext.Default.DiscoveryPayload), retain: true, cancellationToken);
    }

    private async Task PublishStateAsync(IMqttClient client, HealthTopics topics, CancellationToken cancellationToken)
    {
        var status = await _status.GetAsync(cancellationToken);
        var snapshot = _snapshot ?? status.Snapshot;
        var forbidden = Forbidden(snapshot);
        var payload = new StatePayload(
            snapshot.StateName,
            PayloadRedactor.Text(snapshot.Reason, forbidden),
            snapshot.Since,
            snapshot.Sequence,
            snapshot.State == GatewayState.Online,
            snapshot.Account is not null,
            "unknown",
            status.QueueDepths,
            status.QueueDepths.Values.Sum(),
            status.DisplayPresent,
            status.DisplayDescription,
            status.BoardKind,
            status.FirmwareVersion,
            status.StalledLoops,
            status.ButtonStuckSince is not null,
            status.ButtonStuckSince,
            null);
        var unchanged = JsonSerializer.Serialize(payload, HealthJsonContext.Default.StatePayload);
        if (unchanged == _lastState)
        {
            return;
        }
        var json = JsonSerializer.Serialize(payload with { Timestamp = _time.GetUtcNow() }, HealthJsonContext.Default.StatePayload);
        if (await PublishAsync(client, topics.State, json, retain: true, cancellationToken))
        {
            _lastState = unchanged;
        }
    }

    private async Task PublishTelemetryAsync(IMqttClient client, HealthTopics topics, CancellationToken cancellationToken)
    {
        var status = await _status.GetAsync(cancellationToken);
        var sample = await _metrics.SampleAsync(cancellationToken);
        var throttle = sample.Throttle;
        var payload = new TelemetryPayload(
            (long)status.Uptime.TotalSeconds,
            sample.SystemUptimeSeconds is { } up ? (long)up : null,
            sample.CpuTemperatureCelsius,
            sample.Load1,
            sample.Load5,
            sample.Load15,
            sample.MemoryUsedPercent,
            sample.MemoryAvailableMegabytes,
            sample.RootFreeMegabytes,
            sample.DataFreeMegabytes,
            throttle?.Hex,
            throttle?.UnderVoltageNow,
            throttle?.FrequencyCappedNow,
            throttle?.ThrottledNow,
            throttle?.SoftTemperatureLimitNow,
            throttle?.UnderVoltageSinceBoot,
            throttle?.ThrottledSinceBoot,
            _counters.MessagesIn,
            _counters.MessagesOut,
            _counters.MessagesFailed,
            _counters.WhatsAppReconnects,
            _counters.TunnelReconnects,
            _counters.MqttReconnects,
            status.QueueDepths.Values.Sum(),
            _time.GetUtcNow());
        await PublishAsync(client, topics.Telemetry, JsonSerializer.Serialize(payload, HealthJsonContext.Default.TelemetryPayload),
            retain: false, cancellationToken, MqttQualityOfServiceLevel.AtMostOnce);
    }

    private async Task PublishEventsAsync(IMqttClient client, HealthTopics topics, CancellationToken cancellationToken)
    {
        while (_events.TryPeek(out var next))
        {
            await PublishAsync(client, topics.Event, JsonSerializer.Serialize(next, HealthJsonContext.Default.EventPayload), retain: false, cancellationToken);
            _events.TryDequeue(out _);
        }
    }

    /// <returns>False when the broker refused the message (MQTT 5 PUBACK reason, e.g. NotAuthorized from an ACL).</returns>
    private async Task<bool> PublishAsync(IMqttClient client, string topic, string payload, bool retain, CancellationToken cancellationToken,
        MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce)
    {
        payload = PayloadRedactor.Values(payload, Forbidden(_snapshot));
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithContentType(payload.StartsWith('{') ? "application/json" : "text/plain")
            .WithRetainFlag(retain)
            .WithQualityOfServiceLevel(qos)
            .Build();
        var result = await client.PublishAsync(message, cancellationToken);
        if (result.IsSuccess)
        {
            return true;
        }
        // Only QoS 1 gets an acknowledgement; a QoS 0 refusal (telemetry) is invisible to the client.
        var reason = string.IsNullOrWhiteSpace(result.ReasonString) ? "" : $", \"{result.ReasonString}\"";
        Refused(topic, $"the broker refused the publish on {topic}: {result.ReasonCode} (PUBACK 0x{(int)result.ReasonCode:x2}{reason}); check the broker's ACL for this user");
        return false;
    }

    /// <summary>Warns once per topic and connection; <c>status</c> shows the newest refusal.</summary>
    private void Refused(string topic, string problem)
    {
        Connection.Problem(problem, _time.GetUtcNow());
        if (_refusedTopics.Add(topic))
        {
            _log.LogWarning("MQTT: {Problem}", problem);
        }
    }

    private async Task GoOfflineAsync(IMqttClient client, HealthTopics topics)
    {
        _connected = false;
        if (!client.IsConnected)
        {
            return;
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            AddEvent("stopping", null);
            await PublishEventsAsync(client, topics, timeout.Token);
            await PublishAsync(client, topics.Status, Offline, retain: true, timeout.Token);
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder()
                .WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), timeout.Token);
            _log.LogInformation("MQTT: published offline and disconnected");
        }
        catch (Exception ex) when (IsTransient(ex))
        {
            _log.LogWarning("MQTT: clean disconnect failed ({Error}); the broker will publish the last will", ex.Message);
        }
    }

    private async Task ObserveStateAsync(CancellationToken cancellationToken)
    {
        using var subscription = _machine.Subscribe();
        try
        {
            while (true)
            {
                // Every snapshot in order, not just the newest (NextAsync would coalesce a quick
                // unpaired -> pairing -> connecting into one event). The subscription keeps the newest
                // 16; a gap in the machine's sequence numbers says how many were dropped.
                var snapshot = await subscription.Reader.ReadAsync(cancellationToken);
                var previous = _snapshot;
                if (previous is not null && snapshot.Sequence <= previous.Sequence)
                {
                    continue; // two producers raced and delivered out of order: the newer one is already in
                }
                _snapshot = snapshot;
                if (previous is not null && previous.State != snapshot.State)
                {
                    var missed = snapshot.Sequence - previous.Sequence - 1;
                    AddEvent("state-changed", snapshot, from: previous.StateName, missed: missed > 0 ? missed : null);
                }
                Raise(StateFlag);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.TelemetrySeconds), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                Raise(TelemetryFlag);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void AddEvent(string type, GatewaySnapshot? snapshot, long? count = null, string? from = null, long? missed = null)
    {
        var reason = snapshot is null ? null : PayloadRedactor.Text(snapshot.Reason, Forbidden(snapshot));
        _events.Enqueue(new EventPayload(Interlocked.Increment(ref _eventSequence), type, _time.GetUtcNow(), from, snapshot?.StateName, reason, count, missed));
        while (_events.Count > MaxPendingEvents && _events.TryDequeue(out _))
        {
            // offline for long: keep the newest events only
        }
        Raise(EventFlag);
    }

    private void Raise(int flag)
    {
        Interlocked.Or(ref _pending, flag);
        _wake.Writer.TryWrite(true);
    }

    private IReadOnlyList<string> Forbidden(GatewaySnapshot? snapshot) =>
        PayloadRedactor.Forbidden(snapshot?.Account, Secrets.Append(_options.Password));

    private MqttClientOptions BuildClientOptions(HealthTopics topics, string clientId)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.Host, _options.Port)
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(true)
            .WithKeepAlivePeriod(KeepAlive)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithWillTopic(topics.Status)
            .WithWillPayload(Offline)
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (_options.Username.Length > 0)
        {
            builder.WithCredentials(_options.Username, _options.Password);
        }
        if (_options.Tls)
        {
            _certificates = new BrokerCertificateCheck(_options.Host, _options.CaFile);
            var tls = new MqttClientTlsOptionsBuilder().UseTls().WithTargetHost(_options.Host)
                .WithCertificateValidationHandler(_certificates.Validate);
            if (_options.CaFile.Length > 0)
            {
                var trust = new X509Certificate2Collection();
                trust.ImportFromPemFile(_options.CaFile);
                tls.WithTrustChain(trust);
            }
            builder.WithTlsOptions(tls.Build());
        }
        return builder.Build();
    }

    private static bool IsTransient(Exception ex) =>
        ex is MqttCommunicationException or MqttProtocolViolationException or IOException or SocketException or AuthenticationException or InvalidOperationException
            or OperationCanceledException or ObjectDisposedException;
}
