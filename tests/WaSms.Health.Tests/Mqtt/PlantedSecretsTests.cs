using System.Text.Json;
using WaSms.Core.State;

namespace WaSms.Health.Tests.Mqtt;

/// <summary>No phone number, message text or secret reaches any MQTT payload (in-process part).</summary>
public sealed class PlantedSecretsTests
{
    private const string Phone = "15551234567";
    private const string PushName = "Zelda Plantedname";
    private const string PlatformToken = "plat-tok-9f8e7d6c5b4a";
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task PlantedAccountAndSecrets_NeverAppearInAnyPayload()
    {
        using var broker = await MosquittoBroker.StartAsync(BrokerMode.Password);
        await using var live = await MqttRecorder.ConnectAsync(broker);
        await using var harness = new ReporterHarness(broker, secrets: [PlatformToken]);
        var account = new LinkedAccount($"{Phone}:3@s.whatsapp.net", "987654321012:3@lid", PushName);
        harness.Machine.TryFire(new StateChange(GatewayTrigger.Connect, "Connecting to WhatsApp"));
        // A careless producer's reason: number in two spellings, the push name, the token.
        harness.Machine.TryFire(new StateChange(GatewayTrigger.LinkUp,
            $"Linked to +1 555 123 4567 ({PushName}) as {Phone}, token {PlatformToken}", Account: account));
        var topics = await harness.StartAsync();
        await harness.Reporter.WaitConnectedAsync(Long);
        harness.Machine.TryFire(new StateChange(GatewayTrigger.LinkDown, $"Lost {Phone}", Account: account));
        await live.WaitForAsync(m => m.Topic == topics.State && m.Payload.Contains("degraded", StringComparison.Ordinal), Long);
        await live.PublishAsync("homeassistant/status", "online");
        harness.Time.Advance(TimeSpan.FromSeconds(60));
        await live.WaitForAsync(m => m.Topic == topics.Telemetry, 2, Long);
        await live.WaitForAsync(m => m.Topic == topics.Discovery && !m.Retained, Long);

        var ours = live.Messages.Where(m => m.Topic != "homeassistant/status").ToList();
        Assert.Contains(ours, m => m.Topic == topics.Event);
        foreach (var message in ours)
        {
            foreach (var planted in new[] { Phone, "5551234567", "555 123 4567", "987654321012", PushName, "Zelda", PlatformToken, MosquittoBroker.Password })
            {
                Assert.False(message.Payload.Contains(planted, StringComparison.OrdinalIgnoreCase), $"{planted} leaked in {message.Topic}: {message.Payload}");
            }
        }
        var state = live.Messages.Last(m => m.Topic == topics.State);
        Assert.Contains("[redacted]", state.Payload, StringComparison.Ordinal);
        Assert.Contains("\"account_linked\":true", state.Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MaskedNumberInReason_NoDigitOfTheNumberInRetainedStateOrEvents()
    {
        using var broker = await MosquittoBroker.StartAsync();
        await using var harness = new ReporterHarness(broker);
        var topics = await harness.StartAsync();
        await harness.Reporter.WaitConnectedAsync(Long);
        await using var events = await MqttRecorder.ConnectAsync(broker, topics.Event);

        // What WhatsAppLinkService says after a scan: "Linked to +•••••••0123; logging in".
        var account = new LinkedAccount("15555550123:7@s.whatsapp.net", "98765432101234:7@lid");
        var reason = $"Linked to {account.MaskedNumber}; logging in";
        Assert.Contains("0123", reason, StringComparison.Ordinal);
        harness.Machine.TryFire(new StateChange(GatewayTrigger.NeedsPairing, "Not linked to WhatsApp yet"));
        harness.Machine.TryFire(new StateChange(GatewayTrigger.PairingStarted, reason, Account: account));
        harness.Machine.TryFire(new StateChange(GatewayTrigger.Connect, reason, Account: account));
        await events.WaitForAsync(m => m.Payload.Contains("\"to\":\"connecting\"", StringComparison.Ordinal), Long);

        await using var late = await MqttRecorder.ConnectAsync(broker, topics.State);
        var state = await late.WaitForAsync(m => m.Retained && m.Payload.Contains("\"state\":\"connecting\"", StringComparison.Ordinal), Long);
        Assert.Equal("Linked to [redacted]; logging in", JsonDocument.Parse(state.Payload).RootElement.GetProperty("reason").GetString());
        var reasons = events.Messages.Select(m => JsonDocument.Parse(m.Payload).RootElement)
            .Where(e => e.TryGetProperty("reason", out _)).Select(e => e.GetProperty("reason").GetString()!).ToList();
        Assert.Contains("Linked to [redacted]; logging in", reasons);
        foreach (var text in reasons.Append(state.Payload).Concat(events.Messages.Select(m => m.Payload)))
        {
            Assert.DoesNotContain("0123", text, StringComparison.Ordinal);
            Assert.DoesNotContain("\u2022", text, StringComparison.Ordinal);
            Assert.DoesNotContain("\\u2022", text, StringComparison.Ordinal);
        }
    }
}
