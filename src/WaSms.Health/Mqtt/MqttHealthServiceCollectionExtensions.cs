using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace WaSms.Health.Mqtt;

public static class MqttHealthServiceCollectionExtensions
{
    /// <summary>
    /// Registers MQTT health reporting: <see cref="HealthCounters"/>, <see cref="GatewayIdentity"/>
    /// (board serial, else <c>&lt;state-dir&gt;/gateway-id</c>), <see cref="SystemMetrics"/> and the
    /// <see cref="MqttHealthReporter"/> hosted service. Needs a <c>GatewayStateMachine</c>, an
    /// <c>IGatewayStatusSource</c>, a <c>TimeProvider</c> and logging from the host. Without
    /// <c>Mqtt:Host</c> the reporter logs once that the feature is off and does nothing else.
    /// </summary>
    public static IServiceCollection AddMqttHealth(this IServiceCollection services, MqttOptions options, string stateDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton<HealthCounters>();
        services.TryAddSingleton(new GatewayIdentity(stateDirectory));
        services.TryAddSingleton<ISystemMetrics>(new SystemMetrics(stateDirectory));
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<MqttHealthReporter>(sp, options));
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<MqttHealthReporter>());
        return services;
    }
}
