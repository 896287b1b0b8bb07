using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using WaSms.Storage;

namespace WaSms.Health.Tests.Mqtt;

/// <summary>The real <c>wasms-gateway</c> process against a real mosquitto.</summary>
public sealed class GatewayProcessMqttTests : IDisposable
{
    private const string Phone = "15557654321";
    private const string MessageText = "Planted message: the cake is in the blue cupboard";
    private const string PlatformToken = "wasms-platform-token-4Kq9ZrT2";
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);
    private readonly string _stateDir = Directory.CreateTempSubdirectory("wasms-gw-mqtt-").FullName;

    [Fact]
    public async Task Kill9_BrokerPublishesOffline()
    {
        using var broker = await MosquittoBroker.StartAsync();
        await using var live = await MqttRecorder.ConnectAsync(broker, "wasms/+/status");
        using var gateway = StartGateway(broker);
        var online = await live.WaitForAsync(m => m.Payload == "online", Long, () => Assert.False(gateway.HasExited, gateway.Output + gateway.Error));

        gateway.Signal("KILL");
        await gateway.WaitForExitAsync(Long);

        var offline = await live.WaitForAsync(m => m.Topic == online.Topic && m.Payload == "offline", Long);
        Assert.True(offline.At > online.At);
        await using var late = await MqttRecorder.ConnectAsync(broker, online.Topic);
        var retained = await late.WaitForAsync(m => true, Long);
        Assert.Equal(("offline", true), (retained.Payload, retained.Retained));
        Assert.Equal($"wasms/{(await File.ReadAllTextAsync(Path.Combine(_stateDir, "gateway-id"))).Trim()}/status", online.Topic);
    }

    [Fact]
    public async Task PlantedPhoneMessageAndToken_NeverReachMqtt_AndSigtermPublishesOffline()
    {
        await using (var store = await GatewayStore.OpenAsync(_stateDir, TimeProvider.System, NullLogger.Instance, CancellationToken.None))
        {
            await store.ReplaceSecretsAsync(SecretScopes.WhatsApp, new Dictionary<string, byte[]>
            {
                ["jid"] = Encoding.UTF8.GetBytes($"{Phone}:7@s.whatsapp.net"),
            }, CancellationToken.None);
            await store.ReplaceSecretsAsync(SecretScopes.Platform, new Dictionary<string, byte[]>
            {
                ["token"] = Encoding.UTF8.GetBytes(PlatformToken),
            }, CancellationToken.None);
            await store.EnqueueAsync("outbound", "m1", Encoding.UTF8.GetBytes($"{{\"to\":\"+{Phone}\",\"text\":\"{MessageText}\"}}"), CancellationToken.None);
        }
        using var broker = await MosquittoBroker.StartAsync();
        await using var live = await MqttRecorder.ConnectAsync(broker);
        using var gateway = StartGateway(broker, [$"--Tunnel:Token={PlatformToken}", "--Mqtt:TelemetrySeconds=5"]);
        await live.WaitForAsync(m => m.Topic.EndsWith("/telemetry", StringComparison.Ordinal), 2, Long);
        var state = await live.WaitForAsync(m => m.Topic.EndsWith("/state", StringComparison.Ordinal), Long);
        Assert.Contains("\"state\":\"connecting\"", state.Payload, StringComparison.Ordinal);
        Assert.Contains("\"outbound\":1", state.Payload, StringComparison.Ordinal);

        gateway.Signal("TERM");
        await gateway.WaitForExitAsync(Long);
        Assert.Equal(0, gateway.ExitCode);
        await live.WaitForAsync(m => m.Topic.EndsWith("/status", StringComparison.Ordinal) && m.Payload == "offline", Long);

        Assert.Contains(live.Messages, m => m.Topic.StartsWith("homeassistant/device/", StringComparison.Ordinal));
        foreach (var message in live.Messages)
        {
            foreach (var planted in new[] { Phone, "7654321", MessageText, "cupboard", PlatformToken })
            {
                Assert.False(message.Payload.Contains(planted, StringComparison.OrdinalIgnoreCase) || message.Topic.Contains(planted, StringComparison.OrdinalIgnoreCase),
                    $"{planted} leaked in {message.Topic}: {message.Payload}");
            }
        }
    }

    [Fact]
    public async Task Status_MqttConnected_TextAndJsonSayConnected()
    {
        using var broker = await MosquittoBroker.StartAsync();
        using var gateway = StartGateway(broker);

        var text = await StatusAsync(gateway, json: false, s => s.Contains("MQTT:     connected", StringComparison.Ordinal));
        Assert.Matches($@"MQTT:     connected to 127\.0\.0\.1:{broker.Port} since \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\dZ\n", text);
        var json = await StatusAsync(gateway, json: true, s => s.Contains("\"connected\":true", StringComparison.Ordinal));
        var mqtt = JsonDocument.Parse(json).RootElement.GetProperty("mqtt");
        Assert.Equal($"127.0.0.1:{broker.Port}", mqtt.GetProperty("broker").GetString());
        Assert.True(mqtt.GetProperty("connected").GetBoolean());
        Assert.True(mqtt.GetProperty("since").GetDateTimeOffset() <= DateTimeOffset.UtcNow);
        Assert.False(mqtt.TryGetProperty("lastError", out _));
    }

    [Fact]
    public async Task Status_MqttWrongPassword_TextAndJsonSayNotAuthorised()
    {
        using var broker = await MosquittoBroker.StartAsync(BrokerMode.Password);
        using var gateway = StartGateway(broker, environment: new() { ["Mqtt__Username"] = MosquittoBroker.User, ["Mqtt__Password"] = "wrong-pass-5521" });

        var text = await StatusAsync(gateway, json: false, s => s.Contains("not authorised", StringComparison.Ordinal));
        var line = Assert.Single(text.Split('\n'), l => l.StartsWith("MQTT:", StringComparison.Ordinal));
        Assert.StartsWith($"MQTT:     not connected to 127.0.0.1:{broker.Port} since ", line, StringComparison.Ordinal);
        Assert.Contains("broker refused the login: not authorised", line, StringComparison.Ordinal);
        var json = await StatusAsync(gateway, json: true, s => s.Contains("not authorised", StringComparison.Ordinal));
        var mqtt = JsonDocument.Parse(json).RootElement.GetProperty("mqtt");
        Assert.False(mqtt.GetProperty("connected").GetBoolean());
        Assert.Contains("NotAuthorized", mqtt.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.True(mqtt.GetProperty("lastErrorAt").GetDateTimeOffset() >= mqtt.GetProperty("since").GetDateTimeOffset());
        Assert.DoesNotContain("wrong-pass-5521", text + json, StringComparison.Ordinal);
        Assert.Contains("MQTT cannot connect to 127.0.0.1", gateway.Output + gateway.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("The MQTT client is not connected", gateway.Output + gateway.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_CaFileWithoutACertificate_Exit78NamingTheKey()
    {
        var caFile = Path.Combine(_stateDir, "not-a-ca.pem");
        await File.WriteAllTextAsync(caFile, "this file holds no certificate\n");

        var (code, output, error) = await GatewayProcess.RunAsync(["run", "--simulate", "--state-dir", Path.Combine(_stateDir, "state"),
            "--Mqtt:Host=127.0.0.1", "--Mqtt:Tls=true", $"--Mqtt:CaFile={caFile}"]);

        Assert.Equal(78, code);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Mqtt:CaFile", line, StringComparison.Ordinal);
        Assert.Contains("holds no PEM certificate", line, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    public void Dispose() => Directory.Delete(_stateDir, recursive: true);

    private GatewayProcess StartGateway(MosquittoBroker broker, string[]? extra = null, Dictionary<string, string>? environment = null) =>
        GatewayProcess.Start(["run", "--simulate", "--state-dir", _stateDir, "--Mqtt:Host=127.0.0.1", $"--Mqtt:Port={broker.Port}", .. extra ?? []], environment);

    /// <summary>Runs <c>status</c> until its output satisfies <paramref name="until"/> (the MQTT link settles in the background).</summary>
    private async Task<string> StatusAsync(GatewayProcess gateway, bool json, Func<string, bool> until)
    {
        var output = "";
        await Eventually.UntilAsync(async () =>
        {
            Assert.False(gateway.HasExited, gateway.Output + gateway.Error);
            (_, output, _) = await GatewayProcess.RunAsync(json ? ["status", "--json", "--state-dir", _stateDir] : ["status", "--state-dir", _stateDir]);
            return until(output);
        }, Long, "status never matched", () => $"last:\n{output}\ngateway:\n{gateway.Output}{gateway.Error}");
        return output;
    }
}
