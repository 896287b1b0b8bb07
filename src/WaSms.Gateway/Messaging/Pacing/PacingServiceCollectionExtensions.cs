using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WaSms.Core.State;
using WaSms.Storage;
using WaSms.WhatsApp.Messaging.Send;

namespace WaSms.Gateway.Messaging.Pacing;

public static class PacingServiceCollectionExtensions
{
    /// <summary>
    /// Registers the acceptable-use rules: <see cref="PacingGate"/> as the WhatsApp client's
    /// <see cref="ISendGate"/> (the link passes it into the client's options), <see cref="OptOutRules"/> as the
    /// store's <see cref="IOptOutClassifier"/> (so an opt-out commits with its message) and <see cref="OptOutList"/>.
    /// </summary>
    /// <param name="options">The bound and validated <c>Pacing</c> section.</param>
    public static IServiceCollection AddPacing(this IServiceCollection services, PacingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        services.AddSingleton<IOptOutClassifier>(new OptOutRules(options));
        services.AddSingleton(sp => new PacingGate(options, sp.GetRequiredService<GatewayStore>(), sp.GetRequiredService<GatewayStateMachine>(),
            sp.GetRequiredService<TimeProvider>(), new Random(), sp.GetRequiredService<ILogger<PacingGate>>()));
        services.AddSingleton<ISendGate>(sp => sp.GetRequiredService<PacingGate>());
        services.AddSingleton<OptOutList>();
        return services;
    }
}
