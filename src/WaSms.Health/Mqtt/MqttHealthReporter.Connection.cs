using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace WaSms.Health.Mqtt;

/// <summary>The connection: connect, publish the birth set, retry with backoff, notice a lost link, go offline cleanly.</summary>
public sealed partial class MqttHealthReporter
{
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
                    _lastUpdate = null;
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
                    _lastUpdate = null;
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
