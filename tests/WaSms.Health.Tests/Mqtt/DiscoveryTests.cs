using System.Text.Json;
using WaSms.Core.State;

namespace WaSms.Health.Tests.Mqtt;

/// <summary>
/// The retained discovery payload checked against Home Assistant's device-based discovery schema
/// (docs/mqtt.md "Sources"): <c>dev</c> and <c>o</c> at the root, a <c>cmps</c> map whose entries each
/// have a platform <c>p</c> and a <c>unique_id</c>; enum sensors list their options; every state
/// topic and template refers to a field that is actually published.
/// </summary>
public sealed class DiscoveryTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);
    private static readonly HashSet<string> Platforms = ["sensor", "binary_sensor", "update"];
    /// <summary>The keys Home Assistant's MQTT update entity reads from its state topic (https://www.home-assistant.io/integrations/update.mqtt/).</summary>
    private static readonly HashSet<string> UpdateSchemaKeys = ["installed_version", "latest_version", "title", "release_summary", "release_url", "entity_picture", "in_progress", "update_percentage"];
    private static readonly HashSet<string> SensorDeviceClasses = ["duration", "temperature", "data_size", "enum"];
    /// <summary>Fields whose null is a value (no update offered: the sensor is OFF), not a missing reading.</summary>
    private static readonly HashSet<string> NullMeansNone = ["update_available"];
    private static readonly HashSet<string> BinaryDeviceClasses = ["connectivity", "problem", "update"];
    private static readonly HashSet<string> StateClasses = ["measurement", "total", "total_increasing"];

    [Fact]
    public async Task DiscoveryPayload_MatchesHomeAssistantDeviceSchema()
    {
        using var broker = await MosquittoBroker.StartAsync();
        await using var harness = new ReporterHarness(broker);
        var topics = await harness.StartAsync();
        await harness.Reporter.WaitConnectedAsync(Long);
        await using var live = await MqttRecorder.ConnectAsync(broker);
        var discovery = await live.WaitForAsync(m => m.Topic == topics.Discovery, Long);
        var state = await live.WaitForAsync(m => m.Topic == topics.State, Long);
        var update = await live.WaitForAsync(m => m.Topic == topics.Update, Long);
        harness.Time.Advance(TimeSpan.FromSeconds(60));
        var telemetry = await live.WaitForAsync(m => m.Topic == topics.Telemetry, Long);

        Assert.Equal($"homeassistant/device/{topics.GatewayId}/config", discovery.Topic);
        Assert.True(discovery.Retained);
        using var doc = JsonDocument.Parse(discovery.Payload);
        var root = doc.RootElement;

        var dev = root.GetProperty("dev");
        Assert.Equal(topics.GatewayId, Assert.Single(dev.GetProperty("ids").EnumerateArray()).GetString());
        Assert.False(string.IsNullOrEmpty(dev.GetProperty("name").GetString()));
        Assert.Equal("0.1.0", dev.GetProperty("sw").GetString());
        Assert.Equal("wasms-gateway", root.GetProperty("o").GetProperty("name").GetString());
        Assert.Equal(topics.Status, root.GetProperty("availability_topic").GetString());
        Assert.Equal("online", root.GetProperty("payload_available").GetString());
        Assert.Equal("offline", root.GetProperty("payload_not_available").GetString());

        using var stateJson = JsonDocument.Parse(state.Payload);
        using var telemetryJson = JsonDocument.Parse(telemetry.Payload);
        var components = root.GetProperty("cmps").EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
        var uniqueIds = new HashSet<string>();
        foreach (var (key, c) in components)
        {
            var platform = c.GetProperty("p").GetString()!;
            Assert.Contains(platform, Platforms);
            Assert.True(uniqueIds.Add(c.GetProperty("unique_id").GetString()!), $"{key}: duplicate unique_id");
            Assert.StartsWith(topics.GatewayId + "_", c.GetProperty("unique_id").GetString(), StringComparison.Ordinal);
            Assert.Matches("^[a-zA-Z0-9_-]+$", key);
            if (platform == "update")
            {
                // No template: the topic carries Home Assistant's own JSON schema, every key one it knows.
                Assert.Equal(topics.Update, c.GetProperty("state_topic").GetString());
                Assert.False(c.TryGetProperty("value_template", out _), $"{key}: the update topic needs no template");
                Assert.False(c.TryGetProperty("command_topic", out _), $"{key}: updates install by themselves, not from Home Assistant");
                Assert.Equal("firmware", c.GetProperty("device_class").GetString());
                Assert.Equal("config", c.GetProperty("entity_category").GetString());
                using var updateJson = JsonDocument.Parse(update.Payload);
                Assert.All(updateJson.RootElement.EnumerateObject(), p => Assert.Contains(p.Name, UpdateSchemaKeys));
                continue;
            }
            var source = c.GetProperty("state_topic").GetString() == topics.State ? stateJson.RootElement
                : c.GetProperty("state_topic").GetString() == topics.Telemetry ? telemetryJson.RootElement
                : throw new Xunit.Sdk.XunitException($"{key}: unknown state_topic");
            var template = c.GetProperty("value_template").GetString()!;
            foreach (System.Text.RegularExpressions.Match field in System.Text.RegularExpressions.Regex.Matches(template, @"value_json\.([a-z0-9_]+)"))
            {
                Assert.True(source.TryGetProperty(field.Groups[1].Value, out var value), $"{key}: {field.Groups[1].Value} is not published");
                if (!NullMeansNone.Contains(field.Groups[1].Value))
                {
                    Assert.NotEqual(JsonValueKind.Null, value.ValueKind);
                }
            }
            if (c.TryGetProperty("device_class", out var deviceClass))
            {
                Assert.Contains(deviceClass.GetString()!, platform == "sensor" ? SensorDeviceClasses : BinaryDeviceClasses);
            }
            if (c.TryGetProperty("state_class", out var stateClass))
            {
                Assert.Equal("sensor", platform);
                Assert.Contains(stateClass.GetString()!, StateClasses);
            }
            if (c.TryGetProperty("entity_category", out var category))
            {
                Assert.Equal("diagnostic", category.GetString());
            }
        }

        Assert.Equal("connectivity", components["whatsapp"].GetProperty("device_class").GetString());
        Assert.Equal("connectivity", components["platform"].GetProperty("device_class").GetString());
        Assert.Equal("update", components["update"].GetProperty("device_class").GetString());
        Assert.Equal("problem", components["undervoltage"].GetProperty("device_class").GetString());
        Assert.Equal("problem", components["throttled"].GetProperty("device_class").GetString());
        Assert.Equal("problem", components["display_missing"].GetProperty("device_class").GetString());
        Assert.Equal("problem", components["button_stuck"].GetProperty("device_class").GetString());
        Assert.Equal("{{ 'ON' if value_json.button_stuck else 'OFF' }}", components["button_stuck"].GetProperty("value_template").GetString());
        var stateSensor = components["state"];
        Assert.Equal("enum", stateSensor.GetProperty("device_class").GetString());
        Assert.Equal(GatewayStateNames.All, stateSensor.GetProperty("options").EnumerateArray().Select(o => o.GetString()!).ToArray());
        Assert.Equal("°C", components["cpu_temperature"].GetProperty("unit_of_measurement").GetString());
        Assert.Equal("MB", components["data_free"].GetProperty("unit_of_measurement").GetString());
        Assert.Equal("total_increasing", components["messages_out"].GetProperty("state_class").GetString());
        Assert.Equal(180, components["uptime"].GetProperty("expire_after").GetInt32());
    }

    [Fact]
    public async Task DiscoveryPayload_WithoutPiFlags_LeavesThoseSensorsOut()
    {
        using var broker = await MosquittoBroker.StartAsync();
        await using var harness = new ReporterHarness(broker);
        File.Delete(Path.Combine(harness.Root, "sys/devices/platform/soc/soc:firmware/get_throttled"));
        Directory.Delete(Path.Combine(harness.Root, "sys/class/thermal"), recursive: true);
        var topics = await harness.StartAsync();
        await harness.Reporter.WaitConnectedAsync(Long);
        await using var live = await MqttRecorder.ConnectAsync(broker);
        var discovery = await live.WaitForAsync(m => m.Topic == topics.Discovery, Long);
        using var doc = JsonDocument.Parse(discovery.Payload);
        var keys = doc.RootElement.GetProperty("cmps").EnumerateObject().Select(p => p.Name).ToList();
        Assert.DoesNotContain("undervoltage", keys);
        Assert.DoesNotContain("cpu_temperature", keys);
        Assert.Contains("whatsapp", keys);
    }
}
