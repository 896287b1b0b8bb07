using System.Text.Json;
using WaSms.Core.State;
using WaSms.Health.Mqtt;

namespace WaSms.Health.Tests.Mqtt;

/// <summary>The reporter against a real mosquitto on loopback (plain listener).</summary>
public sealed class MqttHealthReporterTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Start_PublishesRetainedBirthStateAndDiscovery()
    {
        using var broker = await MosquittoBroker.StartAsync();
        await using var harness = new ReporterHarness(broker);
        harness.Machine.TryFire(new StateChange(GatewayTrigger.NeedsPairing, "Not linked to WhatsApp yet"));
        var topics = await harness.StartAsync();
        await using (var live = await MqttRecorder.ConnectAsync(broker))
        {
            await live.WaitForAsync(m => m.Topic == topics.Telemetry, Long);
        }

        // A subscriber that arrives later gets the retained birth, state and discovery.
        await using var late = await MqttRecorder.ConnectAsync(broker);
        var status = await late.WaitForAsync(m => m.Topic == topics.Status, Long);
        Assert.Equal(("online", true), (status.Payload, status.Retained));
        var state = await late.WaitForAsync(m => m.Topic == topics.State, Long);
        Assert.True(state.Retained);
        using var json = JsonDocument.Parse(state.Payload);
        Assert.Equal("unpaired", json.RootElement.GetProperty("state").GetString());
        Assert.Equal("Not linked to WhatsApp yet", json.RootElement.GetProperty("reason").GetString());
        Assert.False(json.RootElement.GetProperty("whatsapp_linked").GetBoolean());
        Assert.Equal(3, json.RootElement.GetProperty("queued_total").GetInt64());
        Assert.True(json.RootElement.GetProperty("display_present").GetBoolean());
        Assert.Equal("0.1.0", json.RootElement.GetProperty("fw").GetString());
        var discovery = await late.WaitForAsync(m => m.Topic == topics.Discovery, Long);
        Assert.True(discovery.Retained);
        Assert.StartsWith("wasms/wasms-", topics.Prefix, StringComparison.Ordinal);
    }

    /// <summary>A stuck button is hardware status, not a gateway state: the state payload says so at once (issue #14).</summary>
    [Fact]
    public async Task ButtonStuck_RepublishesStateWithTheFault_AndClearsIt()
    {
        using var broker = await MosquittoBroker.StartAsync();
        await using var harness = new ReporterHarness(broker);
        var topics = await harness.StartAsync();
        await using var live = await MqttRecorder.ConnectAsync(broker);
        var first = await live.WaitForAsync(m => m.Topic == topics.State, Long);
        using (var json = JsonDocument.Parse(first.Payload))
        {
            Assert.False(json.RootElement.GetProperty("button_stuck").GetBoolean());
            Assert.False(json.RootElement.TryGetProperty("button_stuck_since", out _));
        }

        var since = new DateTimeOffset(2026, 12, 2, 9, 41, 7, TimeSpan.Zero);
        harness.Status.SetButtonStuck(since);
        var stuck = await live.WaitForAsync(m => m.Topic == topics.State && m.Payload.Contains("\"button_stuck\":true", StringComparison.Ordinal), Long);
        await using (var late = await MqttRecorder.ConnectAsync(broker))
        {
            var retained = await late.WaitForAsync(m => m.Topic == topics.State, Long);
            Assert.True(retained.Retained);
            Assert.Contains("\"button_stuck\":true", retained.Payload, StringComparison.Ordinal);
        }
        using (var json = JsonDocument.Parse(stuck.Payload))
        {
            Assert.Equal(since, json.RootElement.GetProperty("button_stuck_since").GetDateTimeOffset());
            Assert.Equal(harness.Machine.Current.StateName, json.RootElement.GetProperty("state").GetString()); // no new gateway state
        }

        harness.Status.SetButtonStuck(null);
        // The second state payload without the fault: the first one came before it.
        await live.WaitForAsync(m => m.Topic == topics.State && m.Payload.Contains("\"button_stuck\":false", StringComparison.Ordinal), 2, Long);
    }

    [Fact]
    public async Task StateChange_PublishesRetainedStateWithKebabNameAndAnEvent()
    {
        using var broker = await MosquittoBroker.StartAsync();
        await using var harness = new ReporterHarness(broker);
        var topics = await harness.StartAsync();
        await using var live = await MqttRecorder.ConnectAsync(broker);
        await live.WaitForAsync(m => m.Topic == topics.Telemetry, Long);

        harness.Machine.TryFire(new StateChange(GatewayTrigger.Connect, "Connecting to WhatsApp"));
        harness.Machine.TryFire(new StateChange(GatewayTrigger.LoggedOut, "WhatsApp logged this device out"));

        var state = await live.WaitForAsync(m => m.Topic == topics.State && m.Payload.Contains("\"relink-needed\"", StringComparison.Ordinal), Long);
        Assert.Contains("\"reason\":\"WhatsApp logged this device out\"", state.Payload, StringComparison.Ordinal);
        var changed = await live.WaitForAsync(m => m.Topic == topics.Event && m.Payload.Contains("\"to\":\"relink-needed\"", StringComparison.Ordinal), Long);
        using var json = JsonDocument.Parse(changed.Payload);
        Assert.Equal("state-changed", json.RootElement.GetProperty("type").GetString());
        Assert.False(changed.Retained);
    }

    [Fact]
    public async Task PlatformLinkChange_RepublishesStateWithTunnelAndItsReason_WithoutAStateChangedEvent()
    {
        using var broker = await MosquittoBroker.StartAsync();
        await using var harness = new ReporterHarness(broker);
        var topics = await harness.StartAsync();
        await using var live = await MqttRecorder.ConnectAsync(broker);
        await live.WaitForAsync(m => m.Topic == topics.Telemetry, Long);

        harness.Machine.SetPlatform(PlatformLinkState.Stopped, "enrollment revoked: this gateway was removed from the dashboard");

        var state = await live.WaitForAsync(m => m.Topic == topics.State && m.Payload.Contains("\"tunnel\":\"stopped\"", StringComparison.Ordinal), Long);
        Assert.Contains("\"tunnel_reason\":\"enrollment revoked: this gateway was removed from the dashboard\"", state.Payload, StringComparison.Ordinal);
        Assert.Contains("\"state\":\"booting\"", state.Payload, StringComparison.Ordinal); // the gateway's own state is untouched
        Assert.DoesNotContain(live.Messages, m => m.Topic == topics.Event && m.Payload.Contains("state-changed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UpdateOffer_RepublishesStateWithTheVersion_AndNullOnceWithdrawn()
    {
        using var broker = await MosquittoBroker.StartAsync();
        await using var harness = new ReporterHarness(broker);
        var topics = await harness.StartAsync();
        await using var live = await MqttRecorder.ConnectAsync(broker);
        var before = await live.WaitForAsync(m => m.Topic == topics.State, Long);
        Assert.Contains("\"update_available\":null", before.Payload, StringComparison.Ordinal);

        // As the tunnel's command handler posts the platform's update-available command (docs/tunnel.md §7.1).
        harness.Machine.Post(new UpdateNotice("1.6.0"));
        var offered = await live.WaitForAsync(m => m.Topic == topics.State && m.Payload.Contains("\"update_available\":\"1.6.0\"", StringComparison.Ordinal), Long);
        Assert.Contains("\"state\":\"booting\"", offered.Payload, StringComparison.Ordinal); // the state itself is untouched

        harness.Machine.Post(new UpdateNotice("1.7.0")); // a newer offer replaces it
        await live.WaitForAsync(m => m.Topic == topics.State && m.Payload.Contains("\"update_available\":\"1.7.0\"", StringComparison.Ordinal), Long);
        await using (var late = await MqttRecorder.ConnectAsync(broker)) // retained: Home Assistant starting later sees it too
        {
            var retained = await late.WaitForAsync(m => m.Topic == topics.State, Long);
            Assert.True(retained.Retained);
            Assert.Contains("\"update_available\":\"1.7.0\"", retained.Payload, StringComparison.Ordinal);
        }

        bool Withdrawn(Received m) => m.Topic == topics.State && m.Payload.Contains("\"update_available\":null", StringComparison.Ordinal);
        var nullsBefore = live.Messages.Count(Withdrawn);
        Assert.True(harness.Machine.Withdraw<UpdateNotice>()); // the installer's hook, once installed
        await live.WaitForAsync(Withdrawn, nullsBefore + 1, Long);
    }

    [Fact]
    public async Task Telemetry_FollowsTheClock()
    {
        using var broker = await MosquittoBroker.StartAsync();
        await using var harness = new ReporterHarness(broker);
        var topics = await harness.StartAsync();
        // One right after connecting (before this subscriber), then one per period of the clock.
        await harness.Reporter.WaitConnectedAsync(Long);
        await using var live = await MqttRecorder.ConnectAsync(broker);
        harness.Counters.MessageSent();
        harness.Counters.MessageSent();
        harness.Counters.MessageReceived();

        // A state change is the marker: the reporter publishes its event last in a round, after any
        // telemetry the clock asked for earlier, so once the event is here such telemetry would be too.
        async Task FlushAsync(GatewayTrigger trigger, string to)
        {
            harness.Machine.TryFire(new StateChange(trigger, "marker"));
            await live.WaitForAsync(m => m.Topic == topics.Event && m.Payload.Contains($"\"to\":\"{to}\"", StringComparison.Ordinal), Long);
        }

        harness.Time.Advance(TimeSpan.FromSeconds(59));
        await FlushAsync(GatewayTrigger.NeedsPairing, "unpaired");
        Assert.Empty(live.On(topics.Telemetry));
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        var first = await live.WaitForAsync(m => m.Topic == topics.Telemetry, Long);
        harness.Time.Advance(TimeSpan.FromSeconds(60));
        await live.WaitForAsync(m => m.Topic == topics.Telemetry, 2, Long);
        await FlushAsync(GatewayTrigger.PairingStarted, "pairing");
        Assert.Equal(2, live.On(topics.Telemetry).Count);

        Assert.False(first.Retained);
        using var json = JsonDocument.Parse(first.Payload);
        var t = json.RootElement;
        Assert.Equal(60, t.GetProperty("uptime_s").GetInt64());
        Assert.Equal(12345, t.GetProperty("system_uptime_s").GetInt64());
        Assert.Equal(48.3, t.GetProperty("cpu_temp_c").GetDouble());
        Assert.Equal(0.52, t.GetProperty("load1").GetDouble());
        Assert.Equal(25.0, t.GetProperty("mem_used_pct").GetDouble());
        Assert.True(t.GetProperty("data_free_mb").GetInt64() > 0);
        Assert.True(t.GetProperty("disk_root_free_mb").GetInt64() > 0);
        Assert.Equal("0x50005", t.GetProperty("throttled").GetString());
        Assert.True(t.GetProperty("undervoltage_now").GetBoolean());
        Assert.True(t.GetProperty("throttled_now").GetBoolean());
        Assert.True(t.GetProperty("undervoltage_since_boot").GetBoolean());
        Assert.Equal(2, t.GetProperty("msgs_out").GetInt64());
        Assert.Equal(1, t.GetProperty("msgs_in").GetInt64());
        Assert.Equal(0, t.GetProperty("mqtt_reconnects").GetInt64());
        Assert.Equal(3, t.GetProperty("queued_total").GetInt64());
    }

    [Fact]
    public async Task HomeAssistantBirth_ResendsDiscoveryAndState()
    {
        using var broker = await MosquittoBroker.StartAsync();
        await using var harness = new ReporterHarness(broker);
        var topics = await harness.StartAsync();
        await harness.Reporter.WaitConnectedAsync(Long);
        await using var live = await MqttRecorder.ConnectAsync(broker);
        await live.WaitForAsync(m => m.Topic == topics.Discovery, Long); // the retained copy
        await live.WaitForAsync(m => m.Topic == topics.State, Long);

        await live.PublishAsync("homeassistant/status", "online");

        var again = await live.WaitForAsync(m => m.Topic == topics.Discovery && !m.Retained, Long);
        Assert.Contains("\"cmps\"", again.Payload, StringComparison.Ordinal);
        await live.WaitForAsync(m => m.Topic == topics.State && !m.Retained, Long);
    }

    [Fact]
    public async Task BrokerRestart_RepublishesEverything()
    {
        using var broker = await MosquittoBroker.StartAsync();
        await using var harness = new ReporterHarness(broker);
        harness.Machine.TryFire(new StateChange(GatewayTrigger.Connect, "Connecting to WhatsApp"));
        harness.Machine.TryFire(new StateChange(GatewayTrigger.LinkUp, "Online"));
        var topics = await harness.StartAsync();
        await harness.Reporter.WaitConnectedAsync(Long);

        await broker.RestartAsync(); // no persistence: every retained message is gone

        await using var late = await MqttRecorder.ConnectAsync(broker);
        // The reporter's backoff runs on the fake clock: move it on while waiting.
        void Tick() => harness.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("online", (await late.WaitForAsync(m => m.Topic == topics.Status, Long, Tick)).Payload);
        var state = await late.WaitForAsync(m => m.Topic == topics.State, Long, Tick);
        Assert.Contains("\"state\":\"online\"", state.Payload, StringComparison.Ordinal);
        Assert.Contains("\"whatsapp_linked\":true", state.Payload, StringComparison.Ordinal);
        await late.WaitForAsync(m => m.Topic == topics.Discovery, Long, Tick);
        // (the "mqtt-reconnected" event is not retained and may precede this subscriber; the counter is in telemetry)
        var telemetry = await late.WaitForAsync(m => m.Topic == topics.Telemetry, Long, Tick);
        Assert.Contains("\"mqtt_reconnects\":1", telemetry.Payload, StringComparison.Ordinal);
        Assert.Equal(1, harness.Counters.MqttReconnects);
    }

    [Fact]
    public async Task BrokerDownAtStart_RetriesWithBackoffAndConnectsWhenItComesUp()
    {
        var port = MosquittoBroker.FreePort();
        await using var harness = new ReporterHarness(port);
        var topics = await harness.StartAsync();
        await harness.FailedAttemptsAsync(10);
        Assert.False(harness.Reporter.IsConnected);

        using var broker = await MosquittoBroker.StartAsync(BrokerMode.Plain, port);
        await using var late = await MqttRecorder.ConnectAsync(broker);
        await late.WaitForAsync(m => m.Topic == topics.Status && m.Payload == "online", Long, () => harness.Time.Advance(TimeSpan.FromSeconds(1)));
        Assert.Equal(0, harness.Counters.MqttReconnects); // a first connection is not a reconnect
    }

    [Fact]
    public async Task CleanStop_PublishesOfflineRetained()
    {
        using var broker = await MosquittoBroker.StartAsync();
        var harness = new ReporterHarness(broker);
        HealthTopics topics;
        await using (harness)
        {
            topics = await harness.StartAsync();
            await harness.Reporter.WaitConnectedAsync(Long);
            await harness.StopAsync();
        }
        await using var late = await MqttRecorder.ConnectAsync(broker);
        var status = await late.WaitForAsync(m => m.Topic == topics.Status, Long);
        Assert.Equal(("offline", true), (status.Payload, status.Retained));
    }

    [Fact]
    public async Task NoHost_IsOffAndPublishesNothing()
    {
        using var broker = await MosquittoBroker.StartAsync();
        await using var harness = new ReporterHarness(broker, o => o.Host = "");
        await harness.Reporter.StartAsync(CancellationToken.None);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => harness.Reporter.Topics);
        // Off for good: the reporter's loop has already ended, so it can publish nothing later.
        Assert.True(harness.Reporter.ExecuteTask!.IsCompletedSuccessfully);
        await using var late = await MqttRecorder.ConnectAsync(broker);
        await late.FlushAsync(); // any retained message has arrived before the marker
        Assert.Empty(late.Messages);
    }

    [Fact]
    public async Task CustomPrefixes_AreUsed()
    {
        using var broker = await MosquittoBroker.StartAsync();
        await using var harness = new ReporterHarness(broker, o =>
        {
            o.TopicPrefix = "site7/gw/";
            o.DiscoveryPrefix = "ha";
            o.ClientId = "custom-client";
        });
        var topics = await harness.StartAsync();
        await harness.Reporter.WaitConnectedAsync(Long);
        Assert.Equal("site7/gw/status", topics.Status);
        Assert.StartsWith("ha/device/wasms-", topics.Discovery, StringComparison.Ordinal);
        await using var late = await MqttRecorder.ConnectAsync(broker);
        await late.WaitForAsync(m => m.Topic == "site7/gw/state", Long);
        await late.WaitForAsync(m => m.Topic == topics.Discovery, Long);
    }

    [Fact]
    public async Task StatusSourceFailure_IsNotFatal_ReportingRecovers()
    {
        using var broker = await MosquittoBroker.StartAsync();
        await using var harness = new ReporterHarness(broker);
        harness.Status.FailNext = 2;
        var topics = await harness.StartAsync();
        await using var late = await MqttRecorder.ConnectAsync(broker);
        await late.WaitForAsync(m => m.Topic == topics.State, Long, () => harness.Time.Advance(TimeSpan.FromSeconds(1)));
        var status = late.On(topics.Status)[^1];
        Assert.Equal("online", status.Payload);
        Assert.False(harness.Reporter.ExecuteTask!.IsCompleted);
    }

    [Fact]
    public async Task QuickTransitions_EachPublishedAsAnEvent_InOrder()
    {
        using var broker = await MosquittoBroker.StartAsync();
        await using var harness = new ReporterHarness(broker);
        var topics = await harness.StartAsync();
        await harness.Reporter.WaitConnectedAsync(Long);
        await using var live = await MqttRecorder.ConnectAsync(broker, topics.Event);

        // Back to back, as a QR scan does: the reporter reads them later than they happen.
        harness.Machine.TryFire(new StateChange(GatewayTrigger.NeedsPairing, "Not linked to WhatsApp yet"));
        harness.Machine.TryFire(new StateChange(GatewayTrigger.PairingStarted, "Scanned; pairing"));
        harness.Machine.TryFire(new StateChange(GatewayTrigger.Connect, "Logging in"));
        harness.Machine.TryFire(new StateChange(GatewayTrigger.LinkUp, "Connected to WhatsApp"));

        await live.WaitForAsync(m => m.Payload.Contains("\"to\":\"online\"", StringComparison.Ordinal), Long);
        var changes = live.Messages.Select(m => JsonDocument.Parse(m.Payload).RootElement)
            .Where(e => e.GetProperty("type").GetString() == "state-changed").ToList();
        Assert.Equal(["booting>unpaired", "unpaired>pairing", "pairing>connecting", "connecting>online"],
            changes.Select(e => $"{e.GetProperty("from").GetString()}>{e.GetProperty("to").GetString()}"));
        var first = changes[0].GetProperty("seq").GetInt64();
        Assert.Equal([first, first + 1, first + 2, first + 3], changes.Select(e => e.GetProperty("seq").GetInt64()));
        Assert.All(changes, e => Assert.False(e.TryGetProperty("missed", out _)));
    }
}
