using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Protocol;

namespace WaSms.Health.Tests.Support;

/// <summary>A test subscriber on <c>#</c> that records every message, retained ones included.</summary>
public sealed class MqttRecorder : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly List<Received> _messages = [];

    private MqttRecorder(IMqttClient client)
    {
        _client = client;
        client.ApplicationMessageReceivedAsync += e =>
        {
            lock (_messages)
            {
                _messages.Add(new Received(e.ApplicationMessage.Topic, e.ApplicationMessage.ConvertPayloadToString() ?? "", e.ApplicationMessage.Retain, DateTime.UtcNow));
            }
            return Task.CompletedTask;
        };
    }

    public IReadOnlyList<Received> Messages { get { lock (_messages) { return [.. _messages]; } } }

    public static async Task<MqttRecorder> ConnectAsync(MosquittoBroker broker, string filter = "#")
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", broker.Port)
            .WithClientId("recorder-" + Guid.NewGuid().ToString("N")[..8])
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (broker.Mode == BrokerMode.Password)
        {
            options.WithCredentials(MosquittoBroker.User, MosquittoBroker.Password);
        }
        if (broker.Mode == BrokerMode.Tls)
        {
            var trust = new X509Certificate2Collection();
            trust.ImportFromPemFile(broker.CaFile);
            options.WithTcpServer("localhost", broker.Port)
                .WithTlsOptions(new MqttClientTlsOptionsBuilder().UseTls().WithTargetHost("localhost").WithTrustChain(trust).Build());
        }
        var recorder = new MqttRecorder(client); // the handler first: retained messages follow the SUBACK at once
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await client.ConnectAsync(options.Build(), timeout.Token);
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build(), timeout.Token);
        return recorder;
    }

    /// <summary>Publishes as another client would (Home Assistant's birth, for example).</summary>
    public Task PublishAsync(string topic, string payload, bool retain = false) =>
        _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

    public IReadOnlyList<Received> On(string topic) => [.. Messages.Where(m => m.Topic == topic)];

    /// <summary>Waits (real time, generous) until <paramref name="predicate"/> holds for some message.</summary>
    public Task<Received> WaitForAsync(Func<Received, bool> predicate, TimeSpan? timeout = null, Action? poll = null) =>
        WaitForAsync(predicate, 1, timeout, poll);

    public async Task<Received> WaitForAsync(Func<Received, bool> predicate, int count, TimeSpan? timeout = null, Action? poll = null)
    {
        await Eventually.UntilAsync(() => Messages.Count(predicate) >= count, timeout ?? Eventually.DefaultTimeout, $"no {count}. matching message",
            () => "got:\n" + string.Join("\n", Messages.Select(m => $"{m.Topic} r={m.Retained} {m.Payload}")), poll);
        return Messages.Where(predicate).ElementAt(count - 1);
    }

    /// <summary>
    /// Returns once everything the broker had queued for this subscriber before the call has arrived
    /// (the retained messages that follow the SUBACK, say): a marker this client publishes to itself
    /// queues behind them. Needs a subscription that covers <c>wasms-test/</c>; the marker is removed
    /// from <see cref="Messages"/>.
    /// </summary>
    public async Task FlushAsync()
    {
        var marker = "wasms-test/marker/" + Guid.NewGuid().ToString("N");
        await PublishAsync(marker, "");
        await WaitForAsync(m => m.Topic == marker);
        lock (_messages)
        {
            _messages.RemoveAll(m => m.Topic == marker);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }
        _client.Dispose();
    }
}
