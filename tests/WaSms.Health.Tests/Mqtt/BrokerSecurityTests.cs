namespace WaSms.Health.Tests.Mqtt;

/// <summary>The reporter against mosquitto with username/password and with TLS (a CA made by the test).</summary>
public sealed class BrokerSecurityTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Password_Correct_ConnectsAndPublishesBirth()
    {
        using var broker = await MosquittoBroker.StartAsync(BrokerMode.Password);
        await using var harness = new ReporterHarness(broker);
        var topics = await harness.StartAsync();
        await harness.Reporter.WaitConnectedAsync(Long);
        await using var late = await MqttRecorder.ConnectAsync(broker);
        var status = await late.WaitForAsync(m => m.Topic == topics.Status, Long);
        Assert.Equal(("online", true), (status.Payload, status.Retained));
    }

    [Fact]
    public async Task Password_Wrong_KeepsRetryingAndNeverPublishes()
    {
        using var broker = await MosquittoBroker.StartAsync(BrokerMode.Password);
        await using var harness = new ReporterHarness(broker, o => o.Password = "wrong-password");
        var topics = await harness.StartAsync();
        for (var i = 0; i < 10; i++)
        {
            harness.Time.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(100);
        }
        Assert.False(harness.Reporter.IsConnected);
        await using var late = await MqttRecorder.ConnectAsync(broker);
        await Task.Delay(300);
        Assert.Empty(late.On(topics.Status));
    }

    [Fact]
    public async Task Tls_WithTestCa_ConnectsAndPublishesStateAndTelemetry()
    {
        using var broker = await MosquittoBroker.StartAsync(BrokerMode.Tls);
        await using var harness = new ReporterHarness(broker);
        var topics = await harness.StartAsync();
        await harness.Reporter.WaitConnectedAsync(Long);
        await using var live = await MqttRecorder.ConnectAsync(broker);
        Assert.Equal("online", (await live.WaitForAsync(m => m.Topic == topics.Status, Long)).Payload);
        await live.WaitForAsync(m => m.Topic == topics.State, Long);
        harness.Time.Advance(TimeSpan.FromSeconds(60));
        await live.WaitForAsync(m => m.Topic == topics.Telemetry, Long);
    }

    [Fact]
    public async Task Tls_WithoutTheCa_DoesNotConnect()
    {
        using var broker = await MosquittoBroker.StartAsync(BrokerMode.Tls);
        await using var harness = new ReporterHarness(broker, o => o.CaFile = ""); // system trust only
        await harness.StartAsync();
        for (var i = 0; i < 10; i++)
        {
            harness.Time.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(100);
        }
        Assert.False(harness.Reporter.IsConnected);
    }
}
