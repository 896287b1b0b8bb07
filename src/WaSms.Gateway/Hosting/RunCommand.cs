using System.Collections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;
using Serilog.Core;
using WaSms.Core.State;
using WaSms.Gateway.Cli;
using WaSms.Gateway.Configuration;
using WaSms.Gateway.Logging;
using WaSms.Hardware.Board;
using WaSms.Storage;
using WaSms.WhatsApp.Emulator;

namespace WaSms.Gateway.Hosting;

/// <summary><c>wasms-gateway run</c>: the service itself.</summary>
public static class RunCommand
{
    public static async Task<int> RunAsync(GatewaySettings settings, IDictionary environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _ = NativeMethods.SetUmask(0x3F); // 077; the previous mask is of no use to us
        var redactor = new SecretRedactor();
        foreach (var secret in settings.SecretValues)
        {
            redactor.Add(secret);
        }
        using var logger = CreateLogger(settings.Log, redactor);
        var log = logger.ForContext("SourceContext", "wasms-gateway");
        log.Information("wasms-gateway {Version} starting (pid {Pid})", StatusProvider.Version, Environment.ProcessId);
        log.Information("Configuration: {File}", settings.ConfigFile ?? "no file, defaults + environment + command line");
        foreach (var line in settings.Describe())
        {
            log.Debug("  {Setting}", line);
        }
        foreach (var warning in settings.Warnings)
        {
            log.Warning("{Warning}", warning);
        }

        if (await Control.ControlClient.IsAnsweringAsync(settings.Gateway.ControlSocketPath, cancellationToken))
        {
            log.Fatal("Another gateway is already running with state directory {StateDirectory}", settings.Gateway.StateDirectory);
            return ExitCodes.Failure;
        }

        var time = TimeProvider.System;
        GatewayStore store;
        try
        {
            store = await GatewayStore.OpenAsync(settings.Gateway.StateDirectory, time,
                new Serilog.Extensions.Logging.SerilogLoggerFactory(logger).CreateLogger("store"), cancellationToken);
        }
        catch (StoreException ex)
        {
            log.Fatal("{Message}", ex.Message);
            await Console.Error.WriteLineAsync($"wasms-gateway: {ex.Message}");
            return ExitCodes.DataError;
        }
        log.Information("Store {Path} open (schema v{Version})", store.Path, store.SchemaVersion);

        // Dev mode: a simulated board and no WhatsApp:ServerUrl means the WhatsApp emulator on loopback.
        await using var emulator = settings.Board.Kind == BoardKind.Simulated && !settings.WhatsAppServerUrlGiven ? new WaEmulator() : null;
        if (emulator is not null)
        {
            emulator.Start();
            settings.WhatsApp.ServerUrl = emulator.Uri.ToString();
            settings.WhatsApp.TrustedRootKey = emulator.TrustedRootKeyHex;
            log.Information("Dev mode: WhatsApp emulator on {Url}; 'wasms-gateway dev scan' links its emulated phone", emulator.Uri);
        }

#if !SIMULATOR_PAGE
        if (settings.Board.Kind == BoardKind.Simulated && settings.Simulator.Enabled)
        {
            log.Information("This build has no simulator page (published with SimulatorPage=false); scripts/dev runs a build with it");
        }
#endif
        var systemd = SystemdSettings.FromEnvironment(environment, Environment.ProcessId);
        using var host = GatewayHost.Build(settings, systemd, store, logger, time,
            services => services.AddSingleton(new Dev.DevWhatsApp(emulator)));
        // RunAsync disposes the service provider: take what is needed afterwards now.
        var machine = host.Services.GetRequiredService<GatewayStateMachine>();
        var backgroundServices = host.Services.GetServices<IHostedService>().OfType<BackgroundService>().ToList();
        try
        {
            await host.RunAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log.Fatal(ex, "The gateway stopped on an error");
            machine.TryFire(new StateChange(GatewayTrigger.Fail, ex.Message));
            return ExitCodes.Failure;
        }
        finally
        {
            await store.DisposeAsync();
        }
        var crashed = backgroundServices.Where(s => s.ExecuteTask is { IsFaulted: true }).ToList();
        if (crashed.Count > 0)
        {
            log.Fatal("Stopped because {Services} failed", string.Join(", ", crashed.Select(s => s.GetType().Name)));
            return ExitCodes.Failure;
        }
        log.Information("Stopped");
        return ExitCodes.Ok;
    }

    public static Logger CreateLogger(LogOptions options, SecretRedactor redactor)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(options.Level)
            .MinimumLevel.Override("Microsoft", Serilog.Events.LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", Serilog.Events.LogEventLevel.Information)
            .WriteTo.Console(new JournalFormatter(priorityPrefix: true, redactor));
        if (options.File.Length > 0)
        {
            configuration = configuration.WriteTo.File(new JournalFormatter(priorityPrefix: false, redactor), options.File,
                rollingInterval: RollingInterval.Day, retainedFileCountLimit: options.RetainedFiles,
                fileSizeLimitBytes: 16 * 1024 * 1024, rollOnFileSizeLimit: true);
        }
        return configuration.CreateLogger();
    }
}
