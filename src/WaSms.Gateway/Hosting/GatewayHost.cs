using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Serilog;
using WaSms.Core.Liveness;
using WaSms.Core.Reset;
using WaSms.Core.State;
using WaSms.Gateway.Configuration;
using WaSms.Gateway.Control;
#if SIMULATOR_PAGE
using WaSms.Gateway.Simulator;
#endif
using WaSms.Hardware.Board;
using WaSms.Health;
using WaSms.Health.Mqtt;
using WaSms.Hardware.Button;
using WaSms.Hardware.Display;
using WaSms.Hardware.Leds;
using WaSms.Hardware.Pi;
using WaSms.Hardware.Simulated;
using WaSms.Storage;

namespace WaSms.Gateway.Hosting;

/// <summary>Wires every layer into one generic host. The only place that knows all of them.</summary>
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
        services.AddSingleton(settings.Board);
        services.AddSingleton(settings.WhatsApp);
        services.AddSingleton(settings.Tunnel);
        services.AddSingleton(settings.Mqtt);
        services.AddSingleton(time);
        services.AddSingleton(store);

        services.AddSingleton(systemd);
        services.AddSingleton<ISystemdNotifier>(new SocketSystemdNotifier(systemd.NotifySocket));
        if (systemd.NotifySocket is not null)
        {
            // READY=1 when every hosted service has started; STOPPING=1 and a clean stop on SIGTERM.
            services.AddSingleton<IHostLifetime, SystemdLifetime>();
        }

        services.AddSingleton<LivenessMonitor>();
        services.AddSingleton<Core.Requests.UserRequests>();
        services.AddSingleton<GatewayStateMachine>();
        // Reset participants run in this order: log out of WhatsApp first, then wipe the store.
        services.AddSingleton<Links.WhatsAppLinkService>();
        services.AddSingleton<IResetParticipant>(sp => sp.GetRequiredService<Links.WhatsAppLinkService>());
        if (settings.Board.Kind == BoardKind.Simulated && Dev.ResetFaultInjection.IsRequested(Environment.GetEnvironmentVariables()))
        {
            services.AddSingleton<IResetParticipant, Dev.ResetFaultInjection>(); // tests only: kill -9 between logout and wipe
        }
        services.AddSingleton<IResetParticipant, StoreResetParticipant>();
        // The reset in progress is recorded in the store, so a restart finishes it (BootService).
        services.AddSingleton<IResetJournal, StoreResetJournal>();
        services.AddSingleton<ResetCoordinator>();
        services.AddSingleton<StatusProvider>();
        services.AddSingleton<Core.Status.IGatewayStatusSource>(sp => sp.GetRequiredService<StatusProvider>());

        services.AddSingleton(sp => CreateBoard(settings.Board, time, sp.GetRequiredService<Serilog.ILogger>()));
        services.AddSingleton(new FrameFile(settings.Gateway.StateDirectory));
        services.AddSingleton<IScreenStatsSource>(sp => sp.GetRequiredService<StatusProvider>());
        services.AddSingleton(settings.Board.ToRefreshOptions());
        services.AddSingleton<DisplayController>();

        // Start order matters: the store-backed boot decision first, observers next, the control
        // socket last; READY follows once all of these have started.
        services.AddHostedService<BootService>();
        services.AddHostedService<SetupNoticeService>();
        services.AddHostedService(sp => sp.GetRequiredService<DisplayController>());
        services.AddHostedService<LedController>();
        services.AddSingleton<ButtonController>();
        services.AddHostedService(sp => sp.GetRequiredService<ButtonController>());
        services.AddHostedService<SystemdStatusReporter>();

        // The WhatsApp link: credentials in the store, events into the state machine; it restarts on resets.
        services.AddSingleton<WaSms.WhatsApp.Client.IWaCredentialStore, WhatsAppCredentialStore>();
        services.AddSingleton<WaSms.WhatsApp.Client.IPreKeyStore, WhatsAppPreKeyStore>();
        services.AddHostedService(sp => sp.GetRequiredService<Links.WhatsAppLinkService>());
        services.AddMqttHealth(settings.Mqtt, settings.Gateway.StateDirectory, settings.SecretValues);
        services.AddHostedService<WatchdogService>();
        services.AddSingleton<DevCommands>();
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

    private static IBoard CreateBoard(BoardOptions options, TimeProvider time, Serilog.ILogger log)
    {
        var kind = options.Kind;
        if (kind == BoardKind.Auto)
        {
            kind = PiBoard.IsDetected() ? BoardKind.Pi : BoardKind.Headless;
        }
        switch (kind)
        {
            case BoardKind.Simulated:
                return new SimulatedBoard(options, time);
            case BoardKind.Pi:
                try
                {
                    return new PiBoard(options, time);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PlatformNotSupportedException or InvalidOperationException or DllNotFoundException)
                {
                    // Expected on a machine without GPIO: one line with the reason, no stack trace.
                    log.Error("Raspberry Pi GPIO cannot be opened ({Reason}); running without LEDs and button", ex.Message);
                    return new HeadlessBoard(options, time);
                }
            default:
                return new HeadlessBoard(options, time);
        }
    }
}
