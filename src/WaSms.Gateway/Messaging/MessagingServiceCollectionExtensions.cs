using Microsoft.Extensions.DependencyInjection;
using WaSms.Core.Health;
using WaSms.Gateway.Configuration;
using WaSms.Storage;
using WaSms.WhatsApp.Store;

namespace WaSms.Gateway.Messaging;

public static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// Registers the messaging API (<see cref="IMessagingApi"/>) and puts <see cref="ObservedMessageStore"/>
    /// in front of the store's <see cref="IMessageStore"/>, so the client's commits wake the stream's
    /// readers. Call after <c>AddStorage</c> (it replaces its <see cref="IMessageStore"/>); <c>AddWhatsApp</c>
    /// registers the <see cref="IOutboxWaker"/> and <see cref="IGroupDirectory"/> it needs. Also the daily
    /// retention clean-up (<see cref="MessageRetentionService"/>) with <paramref name="options"/>.
    /// </summary>
    public static IServiceCollection AddMessaging(this IServiceCollection services, MessagingOptions? options = null)
    {
        services.AddSingleton(options ?? new MessagingOptions());
        services.AddSingleton(sp => new ObservedMessageStore(sp.GetRequiredService<WhatsAppMessageStore>(), sp.GetRequiredService<HealthCounters>()));
        services.AddSingleton<IMessageStore>(sp => sp.GetRequiredService<ObservedMessageStore>());
        services.AddSingleton<IMessagingApi, MessagingApi>();
        services.AddHostedService<MessageRetentionService>();
        return services;
    }
}
