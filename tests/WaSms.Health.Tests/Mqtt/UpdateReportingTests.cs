using System.Text.Json;
using WaSms.Core.State;

namespace WaSms.Health.Tests.Mqtt;

/// <summary>
/// Updates over MQTT against a real mosquitto: the state payload's <c>update</c> and <c>last_update</c>, and the retained
/// <c>&lt;prefix&gt;/update</c> topic in Home Assistant's MQTT update schema (https://www.home-assistant.io/integrations/update.mqtt/):
/// <c>in_progress</c> and <c>update_percentage</c> while installing, null again after, a rollback in <c>release_summary</c>.
/// </summary>
public sealed class UpdateReportingTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task WhileUpdating_ProgressReachesTheStateAndHomeAssistant_AndAFailureResetsIt()
    {
        using var broker = await MosquittoBroker.StartAsync();
        await using var harness = new ReporterHarness(broker);
        Assert.True(harness.Machine.TryFire(new StateChange(GatewayTrigger.Connect, "Connecting")));
        var topics = await harness.StartAsync();
        await using var live = await MqttRecorder.ConnectAsync(broker);
        var idle = await live.WaitForAsync(m => m.Topic == topics.Update, Long);
        Assert.Equal("""{"installed_version":"0.1.0","latest_version":"0.1.0","title":"WaSMS Gateway firmware","in_progress":false,"update_percentage":null,"release_summary":null}""", idle.Payload);

        // What the coordinator's UpdateProgressFeed posts (already throttled there).
        Assert.True(harness.Machine.TryFire(new StateChange(GatewayTrigger.UpdateStarted, "Installing update 1.6.0")));
        harness.Machine.Post(new UpdateProgress("1.6.0", "installing", 40, "Copying image to rootfs.1"));

        var state = await live.WaitForAsync(m => m.Topic == topics.State && m.Payload.Contains("\"percent\":40", StringComparison.Ordinal), Long);
        using (var json = JsonDocument.Parse(state.Payload))
        {
            Assert.Equal("updating", json.RootElement.GetProperty("state").GetString());
            Assert.Equal("""{"phase":"installing","version":"1.6.0","percent":40,"step":"Copying image to rootfs.1","reason":null}""",
                json.RootElement.GetProperty("update").GetRawText());
        }
        var progress = await live.WaitForAsync(m => m.Topic == topics.Update && m.Payload.Contains("\"update_percentage\":40", StringComparison.Ordinal), Long);
        Assert.Equal("""{"installed_version":"0.1.0","latest_version":"1.6.0","title":"WaSMS Gateway firmware","in_progress":true,"update_percentage":40,"release_summary":null}""", progress.Payload);

        Assert.True(harness.Machine.TryFire(new StateChange(GatewayTrigger.UpdateFailed, "Update 1.6.0 failed: no space left")));
        var reset = await live.WaitForAsync(m => m.Topic == topics.Update && m.Payload.Contains("\"in_progress\":false", StringComparison.Ordinal), 2, Long);
        Assert.Contains("\"update_percentage\":null", reset.Payload, StringComparison.Ordinal);
        var after = live.On(topics.State)[^1];
        Assert.Contains("\"state\":\"connecting\"", after.Payload, StringComparison.Ordinal);
        Assert.Contains("\"update\":null", after.Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARolledBackUpdate_IsInTheStateAndTheReleaseSummary_AndAnInstalledOneInLastUpdate()
    {
        using var broker = await MosquittoBroker.StartAsync();
        await using var harness = new ReporterHarness(broker);
        var at = new DateTimeOffset(2026, 12, 2, 11, 0, 0, TimeSpan.Zero);
        harness.Machine.Post(new UpdateNotice("1.6.0"));
        harness.Machine.Post(new UpdateOutcome("1.6.0", true, "B: not marked good within its boot attempts", at));
        var topics = await harness.StartAsync();
        await using var live = await MqttRecorder.ConnectAsync(broker);

        var state = await live.WaitForAsync(m => m.Topic == topics.State, Long);
        using (var json = JsonDocument.Parse(state.Payload))
        {
            Assert.Equal("""{"phase":"rolled-back","version":"1.6.0","percent":null,"step":null,"reason":"B: not marked good within its boot attempts"}""",
                json.RootElement.GetProperty("update").GetRawText());
            Assert.Equal("""{"version":"1.6.0","result":"rolled-back","at":"2026-12-02T11:00:00+00:00","reason":"B: not marked good within its boot attempts"}""",
                json.RootElement.GetProperty("last_update").GetRawText());
        }
        var update = await live.WaitForAsync(m => m.Topic == topics.Update, Long);
        Assert.Equal("""{"installed_version":"0.1.0","latest_version":"1.6.0","title":"WaSMS Gateway firmware","in_progress":false,"update_percentage":null,"release_summary":"Update 1.6.0 failed and was rolled back: B: not marked good within its boot attempts"}""", update.Payload);

        // The next update worked (reported at the following start): the rollback is gone, last_update says installed.
        harness.Machine.Withdraw<UpdateNotice>();
        harness.Machine.Post(new UpdateOutcome("1.6.1", false, null, at.AddDays(1)));
        var installed = await live.WaitForAsync(m => m.Topic == topics.State && m.Payload.Contains("\"result\":\"installed\"", StringComparison.Ordinal), Long);
        using (var json = JsonDocument.Parse(installed.Payload))
        {
            Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("update").ValueKind);
            Assert.Equal("""{"version":"1.6.1","result":"installed","at":"2026-12-03T11:00:00+00:00","reason":null}""", json.RootElement.GetProperty("last_update").GetRawText());
        }
        var summary = await live.WaitForAsync(m => m.Topic == topics.Update && m.Payload.Contains("\"release_summary\":null", StringComparison.Ordinal), Long);
        Assert.Contains("\"latest_version\":\"0.1.0\"", summary.Payload, StringComparison.Ordinal);
        await using var late = await MqttRecorder.ConnectAsync(broker); // retained: Home Assistant starting later sees the same
        var retained = await late.WaitForAsync(m => m.Topic == topics.Update, Long);
        Assert.Equal((true, summary.Payload), (retained.Retained, retained.Payload));
    }
}
