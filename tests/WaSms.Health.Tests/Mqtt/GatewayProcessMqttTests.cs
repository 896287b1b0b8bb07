using System.Text;
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
        using var gateway = StartGateway(broker, $"--Tunnel:Token={PlatformToken}", "--Mqtt:TelemetrySeconds=5");
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

    public void Dispose() => Directory.Delete(_stateDir, recursive: true);

    private GatewayProcess StartGateway(MosquittoBroker broker, params string[] extra) =>
        GatewayProcess.Start(["run", "--simulate", "--state-dir", _stateDir, "--Mqtt:Host=127.0.0.1", $"--Mqtt:Port={broker.Port}", .. extra]);
}
