using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WaSms.Core.Health;
using WaSms.Core.State;
using WaSms.Core.Status;
using WaSms.Health.Mqtt;

namespace WaSms.Health;

public static class HealthServiceCollectionExtensions
{
    /// <summary>
    /// Registers health reporting: <see cref="HealthCounters"/> (unless the host already has them),
    /// <see cref="MqttConnectionStatus"/> (for <c>status</c>), <see cref="GatewayIdentity"/> (board
    /// serial, else <c>&lt;state-dir&gt;/gateway-id</c>), <see cref="SystemMetrics"/>, MQTTnet's
    /// <see cref="IMqttClientFactory"/> and the <see cref="MqttHealthReporter"/> hosted service. Needs a
    /// <c>GatewayStateMachine</c>, an <c>IGatewayStatusSource</c>, a <c>TimeProvider</c> and logging from
    /// the host. Without <c>Mqtt:Host</c> the reporter logs once that the feature is off and does nothing else.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="options">The bound and validated <c>Mqtt</c> section.</param>
    /// <param name="stateDirectory">Where a generated gateway id is kept and whose free space is "data free".</param>
    /// <param name="secrets">Secret values (platform token…) that must never appear in a payload; masked if they ever do.</param>
    public static IServiceCollection AddHealth(this IServiceCollection services, MqttOptions options, string stateDirectory,
        IReadOnlyList<string>? secrets = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        services.TryAddSingleton<HealthCounters>();
        services.TryAddSingleton<MqttConnectionStatus>();
        services.TryAddSingleton(new GatewayIdentity(stateDirectory));
        services.TryAddSingleton<ISystemMetrics>(new SystemMetrics(stateDirectory));
        services.TryAddSingleton<IMqttClientFactory, MqttNetClientFactory>();
        services.AddSingleton(sp => new MqttHealthReporter(options, sp.GetRequiredService<GatewayIdentity>(),
            sp.GetRequiredService<GatewayStateMachine>(), sp.GetRequiredService<IGatewayStatusSource>(), sp.GetRequiredService<ISystemMetrics>(),
            sp.GetRequiredService<HealthCounters>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<MqttHealthReporter>>(),
            sp.GetRequiredService<IMqttClientFactory>())
        {
            Secrets = secrets ?? [],
            Connection = sp.GetRequiredService<MqttConnectionStatus>(),
        });
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<MqttHealthReporter>());
        return services;
    }
}
