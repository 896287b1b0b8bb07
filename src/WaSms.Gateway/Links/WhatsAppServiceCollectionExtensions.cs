using Microsoft.Extensions.DependencyInjection;
using WaSms.Core.Reset;
using WaSms.Gateway.Configuration;

namespace WaSms.Gateway.Links;

/// <summary>
/// The WhatsApp link's registration. It lives in the host, not in <c>WaSms.WhatsApp</c>: the link
/// turns the client's events into gateway states (Core) and keeps its session in the store
/// (<see cref="Storage.IWhatsAppSessionStore"/>), and the protocol library stays free of both, the
/// way whatsmeow knows nothing of the app that embeds it.
/// </summary>
public static class WhatsAppServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="WhatsAppLinkService"/> as a hosted service (it starts here in the host's
    /// order) and as a reset participant (it logs out of WhatsApp; call this before <c>AddStorage</c>,
    /// whose participant then forgets the rows). Needs <c>AddCore</c>, <c>AddStorage</c>'s session
    /// store, the <c>HealthCounters</c>, a <c>TimeProvider</c> and logging.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="options">The bound and validated <c>WhatsApp</c> section.</param>
    public static IServiceCollection AddWhatsApp(this IServiceCollection services, WhatsAppOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        services.AddSingleton<WhatsAppLinkService>();
        services.AddSingleton<IResetParticipant>(sp => sp.GetRequiredService<WhatsAppLinkService>());
        // The messaging API reaches the current client through these.
        services.AddSingleton<Messaging.IOutboxWaker>(sp => sp.GetRequiredService<WhatsAppLinkService>());
        services.AddSingleton<Messaging.IGroupDirectory>(sp => sp.GetRequiredService<WhatsAppLinkService>());
        services.AddHostedService(sp => sp.GetRequiredService<WhatsAppLinkService>());
        return services;
    }
}
