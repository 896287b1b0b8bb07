using System.Text.Json;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;
using WaSms.Core.State;

namespace WaSms.Health.Mqtt;

/// <summary>The payloads (docs/mqtt.md): birth, discovery, state, telemetry and events, each redacted before it leaves.</summary>
public sealed partial class MqttHealthReporter
{
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
        await PublishAsync(client, topics.Discovery, JsonSerializer.Serialize(payload, SparseJsonContext.Default.DiscoveryPayload), retain: true, cancellationToken);
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
            snapshot.Platform?.StateName ?? status.Tunnel ?? "unknown",
            snapshot.Platform is { Reason.Length: > 0 } link ? PayloadRedactor.Text(link.Reason, forbidden) : null,
            snapshot.OpenNotice<UpdateNotice>(_time.GetUtcNow()) is { } offer ? PayloadRedactor.Text(offer.Version, forbidden) : null,
            status.QueueDepths,
            status.QueueDepths.Values.Sum(),
            status.DisplayPresent,
            status.DisplayDescription,
            status.BoardKind,
            status.FirmwareVersion,
            status.StalledLoops,
            status.ButtonStuckSince is not null,
            status.ButtonStuckSince,
            null,
            UpdateState(snapshot, forbidden),
            LastUpdate(snapshot, forbidden));
        var unchanged = JsonSerializer.Serialize(payload, HealthJsonContext.Default.StatePayload);
        if (unchanged == _lastState)
        {
            return;
        }
        var json = JsonSerializer.Serialize(payload with { Timestamp = _time.GetUtcNow() }, HealthJsonContext.Default.StatePayload);
        if (!await PublishAsync(client, topics.State, json, retain: true, cancellationToken))
        {
            return;
        }
        _lastState = unchanged;
        // Home Assistant's update entity is built from the same facts; published when it changes (and after every connect).
        var update = JsonSerializer.Serialize(HomeAssistantUpdate(payload), HealthJsonContext.Default.HomeAssistantUpdatePayload);
        if (update != _lastUpdate && await PublishAsync(client, topics.Update, update, retain: true, cancellationToken))
        {
            _lastUpdate = update;
        }
    }

    /// <summary>The update being installed (throttled at its source, <c>UpdateProgressFeed</c>), else a rollback found at start-up, else null.</summary>
    private UpdateStatePayload? UpdateState(GatewaySnapshot snapshot, IReadOnlyList<string> forbidden)
    {
        var now = _time.GetUtcNow();
        if (snapshot.State == GatewayState.Updating && snapshot.OpenNotice<UpdateProgress>(now) is { } progress)
        {
            return new UpdateStatePayload(progress.Phase, progress.Version, progress.Percent,
                progress.Step is null ? null : PayloadRedactor.Text(progress.Step, forbidden), null);
        }
        return snapshot.OpenNotice<UpdateOutcome>(now) is { RolledBack: true } failed
            ? new UpdateStatePayload("rolled-back", failed.Version, null, null, PayloadRedactor.Text(failed.Reason ?? "", forbidden))
            : null;
    }

    private LastUpdatePayload? LastUpdate(GatewaySnapshot snapshot, IReadOnlyList<string> forbidden) =>
        snapshot.OpenNotice<UpdateOutcome>(_time.GetUtcNow()) is { } last
            ? new LastUpdatePayload(last.Version, last.Result, last.At,
                last.Reason is null ? null : PayloadRedactor.Text(last.Reason, forbidden))
            : null;

    /// <summary>
    /// Home Assistant's view: installed is what runs; latest is the version being installed, else the one offered, else
    /// the running one (no update); the summary names a rollback. HA caps the summary at 255 characters; ours is shorter
    /// (the reason is capped at 120 when read).
    /// </summary>
    private static HomeAssistantUpdatePayload HomeAssistantUpdate(StatePayload state)
    {
        var installing = state.Update is { Phase: "installing" or "installed" } update ? update : null;
        var latest = installing?.Version ?? state.UpdateAvailable ?? state.Firmware;
        var summary = state.Update is { Phase: "rolled-back" } failed
            ? $"Update {failed.Version ?? "(unknown version)"} failed and was rolled back: {failed.Reason}"
            : null;
        return new HomeAssistantUpdatePayload(state.Firmware, latest, "WaSMS Gateway firmware", installing is not null,
            installing?.Percent, summary is { Length: > 255 } ? summary[..254] + "\u2026" : summary);
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
            _time.GetUtcNow(),
            status.Today?.In,
            status.Today?.Out,
            status.Today?.Failed,
            status.Today?.Queued);
        await PublishAsync(client, topics.Telemetry, JsonSerializer.Serialize(payload, HealthJsonContext.Default.TelemetryPayload),
            retain: false, cancellationToken, MqttQualityOfServiceLevel.AtMostOnce);
    }

    private async Task PublishEventsAsync(IMqttClient client, HealthTopics topics, CancellationToken cancellationToken)
    {
        while (_events.TryPeek(out var next))
        {
            await PublishAsync(client, topics.Event, JsonSerializer.Serialize(next, SparseJsonContext.Default.EventPayload), retain: false, cancellationToken);
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

    private IReadOnlyList<string> Forbidden(GatewaySnapshot? snapshot) =>
        PayloadRedactor.Forbidden(snapshot?.Account, Secrets.Append(_options.Password));
}
