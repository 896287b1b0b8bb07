using MQTTnet;
using MQTTnet.Diagnostics.PacketInspection;
using MQTTnet.Exceptions;
using WaSms.Health.Mqtt;

namespace WaSms.Health.Tests.Support;

/// <summary>
/// An MQTT client without a broker, for unit tests of <see cref="MqttHealthReporter"/> through its
/// <see cref="IMqttClientFactory"/>: it records what is published (in order), can refuse the next
/// connects as an unreachable broker would, and can drop the link as a broker restart would.
/// </summary>
public sealed class InMemoryMqttClient : IMqttClient, IMqttClientFactory
{
    private readonly Lock _gate = new();
    private readonly List<MqttApplicationMessage> _published = [];
    private volatile bool _connected;

    // Nothing arrives from this broker and no packets are encoded: these are never raised.
    public event Func<MqttApplicationMessageReceivedEventArgs, Task>? ApplicationMessageReceivedAsync { add { } remove { } }

    public event Func<MqttClientConnectedEventArgs, Task>? ConnectedAsync { add { } remove { } }

    public event Func<MqttClientConnectingEventArgs, Task>? ConnectingAsync { add { } remove { } }

    public event Func<InspectMqttPacketEventArgs, Task>? InspectPacketAsync { add { } remove { } }

    public event Func<MqttClientDisconnectedEventArgs, Task>? DisconnectedAsync;

    /// <summary>How many of the next connects fail as "connection refused".</summary>
    public int RefuseConnects { get; set; }

    public int Connects { get; private set; }

    public int Created { get; private set; }

    public bool IsConnected => _connected;

    public MqttClientOptions Options { get; private set; } = new();

    public IReadOnlyList<MqttApplicationMessage> Published
    {
        get { lock (_gate) { return [.. _published]; } }
    }

    public IMqttClient CreateClient()
    {
        Created++;
        return this;
    }

    public Task<MqttClientConnectResult> ConnectAsync(MqttClientOptions options, CancellationToken cancellationToken = default)
    {
        Connects++;
        if (RefuseConnects > 0)
        {
            RefuseConnects--;
            throw new MqttCommunicationException("Connection refused (in-memory broker is down)");
        }
        Options = options;
        _connected = true;
        return Task.FromResult(new MqttClientConnectResult());
    }

    public Task DisconnectAsync(MqttClientDisconnectOptions options, CancellationToken cancellationToken = default)
    {
        _connected = false;
        return Task.CompletedTask;
    }

    /// <summary>The broker went away: the reporter hears of it as MQTTnet would tell it.</summary>
    public async Task DropAsync()
    {
        _connected = false;
        if (DisconnectedAsync is { } handler)
        {
            await handler(new MqttClientDisconnectedEventArgs(true, null, MqttClientDisconnectReason.ServerShuttingDown, "", [], null));
        }
    }

    public Task PingAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<MqttClientPublishResult> PublishAsync(MqttApplicationMessage applicationMessage, CancellationToken cancellationToken = default)
    {
        if (!_connected)
        {
            throw new MqttCommunicationException("not connected");
        }
        lock (_gate)
        {
            _published.Add(applicationMessage);
        }
        return Task.FromResult(new MqttClientPublishResult(null, MqttClientPublishReasonCode.Success, "", []));
    }

    public Task SendEnhancedAuthenticationExchangeDataAsync(MqttEnhancedAuthenticationExchangeData data, CancellationToken cancellationToken = default) =>
        Task.CompletedTask;

    public Task<MqttClientSubscribeResult> SubscribeAsync(MqttClientSubscribeOptions options, CancellationToken cancellationToken = default) =>
        Task.FromResult(new MqttClientSubscribeResult(0, [], "", []));

    public Task<MqttClientUnsubscribeResult> UnsubscribeAsync(MqttClientUnsubscribeOptions options, CancellationToken cancellationToken = default) =>
        Task.FromResult(new MqttClientUnsubscribeResult(0, [], "", []));

    public void Dispose()
    {
    }
}
