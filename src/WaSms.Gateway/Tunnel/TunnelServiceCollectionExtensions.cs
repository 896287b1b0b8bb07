using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WaSms.Core.Health;
using WaSms.Core.Reset;
using WaSms.Core.State;
using WaSms.Gateway.Configuration;
using WaSms.Gateway.Control;
using WaSms.Gateway.Links;
using WaSms.Gateway.Messaging;
using WaSms.Gateway.Tunnel.Connection;
using WaSms.Gateway.Tunnel.Identity;
using WaSms.Gateway.Tunnel.Sync;
using WaSms.Hardware.Board;
using WaSms.Storage;
using WaSms.WhatsApp.Store;

namespace WaSms.Gateway.Tunnel;

public static class TunnelServiceCollectionExtensions
{
    /// <summary>
    /// Registers the platform tunnel (docs/tunnel.md). <see cref="TunnelLinkStatus"/> always (status shows
    /// "platform: not configured" without <c>Tunnel:Url</c>); the connection only with a URL. Call after
    /// <c>AddWhatsApp</c>, <c>AddStorage</c> and <c>AddMessaging</c>, whose services it uses.
    /// </summary>
    public static IServiceCollection AddTunnel(this IServiceCollection services, TunnelOptions options, GatewayOptions gateway)
    {
        services.AddSingleton<TunnelLinkStatus>();
        services.AddSingleton(sp => new EnrollmentCodes(options, gateway));
        if (options.Url.Length == 0)
        {
            return services;
        }
        services.AddSingleton<DeviceIdentity>();
        services.AddSingleton<IPairingControl, LinkPairingControl>();
        services.AddSingleton(sp => new JobHandler(sp.GetRequiredService<GatewayStore>(), sp.GetRequiredService<ObservedMessageStore>(),
            sp.GetRequiredService<IWhatsAppSessionStore>(), sp.GetRequiredService<IOutboxWaker>(), sp.GetRequiredService<DeviceIdentity>(),
            sp.GetRequiredService<TimeProvider>(), options.JobTtl));
        services.AddHostedService(sp => new JobExpiry(sp.GetRequiredService<GatewayStore>(), sp.GetRequiredService<ObservedMessageStore>(),
            sp.GetRequiredService<TimeProvider>(), options.JobTtl, sp.GetRequiredService<ILogger<JobExpiry>>()));
        services.AddSingleton<CommandHandler>();
        services.AddSingleton<StateReporter>();
        services.AddSingleton(sp => new TlsValidator(options, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new TunnelConnector(options, sp.GetRequiredService<TlsValidator>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new TunnelParts(sp.GetRequiredService<DeviceIdentity>(), sp.GetRequiredService<EnrollmentCodes>(),
            sp.GetRequiredService<IMessagingApi>(), sp.GetRequiredService<GatewayStore>(), sp.GetRequiredService<JobHandler>(),
            sp.GetRequiredService<CommandHandler>(), sp.GetRequiredService<StateReporter>(), sp.GetRequiredService<TunnelLinkStatus>(), new Signal(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("WaSms.Gateway.Tunnel"),
            StatusProvider.Version, sp.GetRequiredService<IBoard>().Kind));
        services.AddHostedService(sp => new TunnelService(sp.GetRequiredService<TunnelParts>(), sp.GetRequiredService<TunnelConnector>(),
            sp.GetRequiredService<GatewayStateMachine>(), sp.GetRequiredService<HealthCounters>(), new Random(),
            new ClockGate(options, sp.GetRequiredService<TimeProvider>())));
        return services;
    }

    /// <summary>The platform's pairing commands through the WhatsApp link.</summary>
    private sealed class LinkPairingControl(WhatsAppLinkService link) : IPairingControl
    {
        public Task<string> RequestPairingCodeAsync(string phone, CancellationToken cancellationToken) =>
            link.RequestPairingCodeAsync(phone, cancellationToken);
    }
}
