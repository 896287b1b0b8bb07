using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Serilog;
using WaSms.Core;
using WaSms.Core.Reset;
using WaSms.Gateway.Configuration;
using WaSms.Gateway.Control;
using WaSms.Gateway.Links;
using WaSms.Gateway.Messaging;
using WaSms.Gateway.Messaging.Pacing;
using WaSms.Gateway.Tunnel;
using WaSms.Gateway.Updates;
#if SIMULATOR_PAGE
using WaSms.Gateway.Simulator;
#endif
using WaSms.Hardware;
using WaSms.Hardware.Board;
using WaSms.Hardware.Display;
using WaSms.Health;
using WaSms.Storage;
using WaSms.Gateway.Dev;

namespace WaSms.Gateway.Hosting;

/// <summary>Composes the layers into one generic host: each layer registers itself (<c>AddCore</c>, <c>AddHardware</c>, <c>AddWhatsApp</c>, <c>AddStorage</c>, <c>AddMessaging</c>, <c>AddTunnel</c>, <c>AddHealth</c>). The only place that knows all of them.</summary>
public static class GatewayHost
{
    /// <param name="settings">Validated settings.</param>
    /// <param name="systemd">NOTIFY_SOCKET and watchdog period.</param>
    /// <param name="store">The opened store; the host disposes it.</param>
    /// <param name="logger">Serilog logger; the host disposes it.</param>
    /// <param name="time">The clock for everything timed.</param>
    /// <param name="configure">Extra registrations (tests).</param>
    public static IHost Build(GatewaySettings settings, SystemdSettings systemd, GatewayStore store, Serilog.ILogger logger,
        TimeProvider time, Action<IServiceCollection>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = "wasms-gateway",
            ContentRootPath = settings.Gateway.StateDirectory,
        });
        var services = builder.Services;
        services.AddSerilog(logger, dispose: true);
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));

        services.AddSingleton(settings);
        services.AddSingleton(settings.Gateway);
        services.AddSingleton(settings.Tunnel);
        services.AddSingleton(settings.Updates);
        services.AddSingleton(time);

        services.AddSingleton(systemd);
        services.AddSingleton<ISystemdNotifier>(new SocketSystemdNotifier(systemd.NotifySocket));
        if (systemd.NotifySocket is not null)
        {
            // READY=1 when every hosted service has started; STOPPING=1 and a clean stop on SIGTERM.
            services.AddSingleton<IHostLifetime, SystemdLifetime>();
        }

        services.AddCore();
        services.AddSingleton<StatusProvider>();
        services.AddSingleton<Core.Status.IGatewayStatusSource>(sp => sp.GetRequiredService<StatusProvider>());
        services.AddSingleton<IScreenStatsSource>(sp => sp.GetRequiredService<StatusProvider>());

        // The order below is the start order of the hosted services (the store-backed boot decision
        // first, observers next, the control socket last; READY follows once all have started) and
        // the order in which reset participants wipe: the WhatsApp link logs out, then the store
        // forgets the rows.
        services.AddHostedService<BootService>();
        services.AddHostedService<SetupNoticeService>();
        services.AddHardware(settings.Board, settings.Gateway.StateDirectory);
        services.AddHostedService<SystemdStatusReporter>();
        services.AddWhatsApp(settings.WhatsApp);
        if (settings.Board.Kind == BoardKind.Simulated && ResetFaultInjection.IsRequested(Environment.GetEnvironmentVariables()))
        {
            services.AddSingleton<IResetParticipant, ResetFaultInjection>(); // tests only: kill -9 between logout and wipe
        }
        services.AddStorage(store);
        services.AddSingleton<MemoryRelease>(); // after bursts: the link service hands their memory back
        services.AddMessaging(settings.Messaging);
        services.AddPacing(settings.Pacing);
        services.AddTunnel(settings.Tunnel, settings.Gateway);
        services.AddHealth(settings.Mqtt, settings.Gateway.StateDirectory, settings.SecretValues);
        services.AddHostedService<WatchdogService>();
        services.AddSingleton<DevCommands>();
        services.AddSingleton<MessagingCommands>();
        services.AddSingleton<Updates.UpdateProgressFeed>();
        services.AddUpdates(settings.Updates, settings.Gateway.StateDirectory);
        services.AddHostedService<ControlServer>();
#if SIMULATOR_PAGE
        if (settings.Board.Kind == BoardKind.Simulated)
        {
            // Dev mode only: a real board never starts Kestrel or opens the page's port.
            services.AddSimulatorPage(settings.Simulator, settings.Gateway.StateDirectory);
        }
#endif

        services.AddSingleton<IDevPhone>(new NoDevPhone()); // replaced by RunCommand in dev mode
        configure?.Invoke(services);
        return builder.Build();
    }
}
