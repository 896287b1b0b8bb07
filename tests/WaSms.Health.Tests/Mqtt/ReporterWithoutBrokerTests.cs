using System.Text.Json;
using MQTTnet;
using WaSms.Core.State;
using WaSms.Health.Mqtt;

namespace WaSms.Health.Tests.Mqtt;

/// <summary>
/// The reporter's logic with its client from <see cref="IMqttClientFactory"/>: an in-memory client
/// instead of a broker (what the broker itself does is covered by the mosquitto tests).
/// </summary>
public sealed class ReporterWithoutBrokerTests
{
    private static Task<T> EventuallyAsync<T>(Func<T?> probe, string what) where T : class =>
        Eventually.ValueAsync(probe, Eventually.DefaultTimeout, what);

    private sealed record MqttApplicationMessageLike(string Topic, string Payload, bool Retained);

    private static List<MqttApplicationMessageLike> Messages(InMemoryMqttClient client) =>
        [.. client.Published.Select(m => new MqttApplicationMessageLike(m.Topic, m.ConvertPayloadToString(), m.Retain))];

    [Fact]
    public async Task Connect_PublishesBirthDiscoveryStateTelemetryInOrder_ThenEachStateChangeOnce()
    {
        var client = new InMemoryMqttClient();
        await using var harness = new ReporterHarness(client);
        harness.Machine.TryFire(new StateChange(GatewayTrigger.NeedsPairing, "Not linked to WhatsApp yet"));
        var topics = await harness.StartAsync();
        await harness.Reporter.WaitConnectedAsync(TimeSpan.FromSeconds(30));

        var birth = Messages(client);
        Assert.Equal(1, client.Created);
        Assert.Equal([topics.Status, topics.Discovery, topics.State, topics.Update, topics.Telemetry], birth.Select(m => m.Topic).Where(t => t != topics.Event));
        Assert.Equal(("online", true), (birth[0].Payload, birth[0].Retained));
        Assert.Equal(topics.Status, client.Options.WillTopic);
        using (var state = JsonDocument.Parse(birth.Single(m => m.Topic == topics.State).Payload))
        {
            Assert.Equal("unpaired", state.RootElement.GetProperty("state").GetString());
        }

        harness.Machine.TryFire(new StateChange(GatewayTrigger.PairingStarted, "Linked; logging in"));
        var changed = await EventuallyAsync(() => Messages(client).Skip(birth.Count).FirstOrDefault(m => m.Topic == topics.Event && m.Payload.Contains("state-changed", StringComparison.Ordinal)),
            "state-changed event");
        using (var json = JsonDocument.Parse(changed.Payload))
        {
            Assert.Equal("unpaired", json.RootElement.GetProperty("from").GetString());
            Assert.Equal("pairing", json.RootElement.GetProperty("to").GetString());
        }
        await EventuallyAsync(() => Messages(client).Skip(birth.Count).FirstOrDefault(m => m.Topic == topics.State && m.Payload.Contains("\"state\":\"pairing\"", StringComparison.Ordinal)),
            "pairing state");
        Assert.Single(Messages(client), m => m.Topic == topics.Update); // unchanged by a state change that is no update
    }

    [Fact]
    public async Task BrokerDown_RetriesOnTheInjectedClock_AndSaysWhyInStatus()
    {
        var client = new InMemoryMqttClient { RefuseConnects = 2 };
        await using var harness = new ReporterHarness(client);
        await harness.StartAsync();

        var error = await harness.WaitForErrorAsync(e => e.Contains("refused", StringComparison.OrdinalIgnoreCase));
        Assert.False(harness.Reporter.IsConnected);
        // The backoff waits on the injected clock: move it on while waiting.
        await Eventually.UntilAsync(() => harness.Reporter.IsConnected, Eventually.DefaultTimeout, "the reporter reconnected", () => error,
            () => harness.Time.Advance(TimeSpan.FromSeconds(1)));
        Assert.Equal(3, client.Connects);
        Assert.True(harness.Reporter.Connection.Current?.Connected);
    }

    [Fact]
    public async Task LinkDropped_ReconnectsAndPublishesTheBirthSetAgain_StopSaysOffline()
    {
        var client = new InMemoryMqttClient();
        await using var harness = new ReporterHarness(client);
        var topics = await harness.StartAsync();
        await harness.Reporter.WaitConnectedAsync(TimeSpan.FromSeconds(30));
        var before = client.Published.Count;

        await client.DropAsync();
        await EventuallyAsync(() => Messages(client).Skip(before).FirstOrDefault(m => m.Topic == topics.Status && m.Payload == "online"), "birth again");
        Assert.Equal(2, client.Connects);
        Assert.Equal(1, harness.Counters.MqttReconnects);

        await harness.StopAsync();
        var last = Messages(client).Last(m => m.Topic == topics.Status);
        Assert.Equal(("offline", true), (last.Payload, last.Retained));
        Assert.False(client.IsConnected);
    }
}
