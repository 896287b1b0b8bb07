using Microsoft.Extensions.DependencyInjection;
using WaSms.Gateway.Configuration;

namespace WaSms.Gateway.Simulator;

public static class SimulatorServiceCollectionExtensions
{
    /// <summary>Adds the simulator page when it is on; call only for the simulated board.</summary>
    /// <param name="services">The gateway's services.</param>
    /// <param name="options">The page's settings.</param>
    /// <param name="stateDirectory">Where the page's URL with its access token is written (<see cref="SimulatorAccess.UrlFileName"/>).</param>
    public static IServiceCollection AddSimulatorPage(this IServiceCollection services, SimulatorOptions options, string stateDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Enabled)
        {
            services.AddSingleton(options);
            services.AddSingleton(new SimulatorAccess(stateDirectory));
            services.AddSingleton<SimulatorServer>();
            services.AddHostedService(sp => sp.GetRequiredService<SimulatorServer>());
        }
        return services;
    }
}
