using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WaSms.Core.State;
using WaSms.Gateway.Configuration;
using WaSms.Storage;

namespace WaSms.Gateway.Updates;

/// <summary>Registers the update side: RAUC, the downloader, the coordinator and the installer of the platform's offer.</summary>
public static class UpdatesServiceCollectionExtensions
{
    public static IServiceCollection AddUpdates(this IServiceCollection services, UpdatesOptions options, string stateDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        services.AddSingleton<IRaucAdapter>(new RaucProcessAdapter());
        services.AddSingleton(sp => new BundleDownloader(options.DirectoryFor(stateDirectory), options.MaxBundleBytes, options.DownloadAttempts,
            options.RetryDelay,
            // The system's trust store and the handler's full certificate validation; redirects to http:// are not followed.
            new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(30), AutomaticDecompression = System.Net.DecompressionMethods.None },
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<BundleDownloader>>()));
        services.AddSingleton(sp => new UpdateCoordinator(sp.GetRequiredService<IRaucAdapter>(), sp.GetRequiredService<GatewayStateMachine>(),
            sp.GetRequiredService<GatewayStore>(), sp.GetRequiredService<BundleDownloader>(), options.RebootRequestFileFor(stateDirectory),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<UpdateCoordinator>>(), sp.GetService<UpdateProgressFeed>()));
        services.AddSingleton<OfferInstaller>();
        services.AddHostedService(sp => sp.GetRequiredService<OfferInstaller>());
        return services;
    }
}
