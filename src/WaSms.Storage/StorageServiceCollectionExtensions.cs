using Microsoft.Extensions.DependencyInjection;
using WaSms.Core.Reset;
using WaSms.WhatsApp.Store;

namespace WaSms.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the opened <paramref name="store"/> (the host opens it first: a damaged or newer
    /// database must stop start-up before anything else runs), the WhatsApp session it holds
    /// (<see cref="IWhatsAppSessionStore"/>), the client's Signal and message stores
    /// (<see cref="ISignalStore"/>, <see cref="IMessageStore"/>), its reset participant (after those registered before
    /// it: the store wipes last) and the reset journal in it.
    /// </summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, GatewayStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        services.AddSingleton(store);
        services.AddSingleton<IWhatsAppSessionStore, WhatsAppSessionStore>();
        services.AddSingleton<ISignalStore, WhatsAppSignalStore>();
        services.AddSingleton<WhatsAppMessageStore>();
        services.AddSingleton<IMessageStore>(sp => sp.GetRequiredService<WhatsAppMessageStore>());
        services.AddSingleton<IResetParticipant, StoreResetParticipant>();
        // The reset in progress is recorded in the store, so a restart finishes it.
        services.AddSingleton<IResetJournal, StoreResetJournal>();
        return services;
    }
}
