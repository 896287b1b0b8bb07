using MQTTnet;

namespace WaSms.Health.Mqtt;

/// <summary>Where <see cref="MqttHealthReporter"/> gets its client: MQTTnet's in the service, an in-memory one in unit tests.</summary>
public interface IMqttClientFactory
{
    /// <summary>A new, unconnected client; the reporter owns and disposes it.</summary>
    IMqttClient CreateClient();
}

/// <summary>MQTTnet's TCP/TLS client.</summary>
public sealed class MqttNetClientFactory : IMqttClientFactory
{
    public IMqttClient CreateClient() => new MqttClientFactory().CreateMqttClient();
}
