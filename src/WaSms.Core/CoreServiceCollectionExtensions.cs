using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WaSms.Core.Health;
using WaSms.Core.Liveness;
using WaSms.Core.Requests;
using WaSms.Core.Reset;
using WaSms.Core.State;

namespace WaSms.Core;

public static class CoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers what every layer meets in: the state machine, the liveness monitor, the customer's
    /// requests (retry: <see cref="UserRequests"/>; reset: <see cref="IResetRequests"/>, decided by the
    /// one <see cref="ResetCoordinator"/> over every registered <see cref="IResetParticipant"/> in
    /// registration order) and the <see cref="HealthCounters"/>. Needs a <c>TimeProvider</c> and logging.
    /// </summary>
    public static IServiceCollection AddCore(this IServiceCollection services)
    {
        services.AddSingleton<LivenessMonitor>();
        services.AddSingleton<UserRequests>();
        services.AddSingleton<GatewayStateMachine>();
        services.AddSingleton<ResetCoordinator>();
        services.AddSingleton<IResetRequests>(sp => sp.GetRequiredService<ResetCoordinator>());
        services.TryAddSingleton<HealthCounters>();
        return services;
    }
}
