using Microsoft.Extensions.DependencyInjection;
using WaSms.Gateway.Configuration;

namespace WaSms.Gateway.Simulator;

public static class SimulatorServiceCollectionExtensions
{
    /// <summary>Adds the simulator page when it is on; call only for the simulated board.</summary>
    public static IServiceCollection AddSimulatorPage(this IServiceCollection services, SimulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Enabled)
        {
            services.AddSingleton(options);
            services.AddSingleton<SimulatorServer>();
            services.AddHostedService(sp => sp.GetRequiredService<SimulatorServer>());
        }
        return services;
    }
}
