using System.Collections;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;
using Serilog.Core;
using WaSms.Core.State;
using WaSms.Gateway.Configuration;
using WaSms.Gateway.Control;
using WaSms.Gateway.Logging;
using WaSms.Hardware.Board;
using WaSms.Storage;
#if EMULATORS
using WaSms.Emulators.WhatsApp;
#endif

namespace WaSms.Gateway.Hosting;

/// <summary><c>wasms-gateway run</c>: the service itself.</summary>
public static class RunCommand
{
    /// <param name="reload">Loads the settings again from the same sources (SIGHUP re-reads the log level).</param>
    public static async Task<int> RunAsync(GatewaySettings settings, IDictionary environment, Func<GatewaySettings>? reload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _ = NativeMethods.SetUmask(0x3F); // 077; the previous mask is of no use to us
        // Paths are checked before anything is written: a log file or state directory that cannot be
        // used is a configuration error (78, no restart loop), never silently ignored or taken over.
        var pathProblems = CheckPaths(settings);
        if (pathProblems.Count > 0)
        {
            foreach (var problem in pathProblems)
            {
                await Console.Error.WriteLineAsync($"wasms-gateway: {problem}");
            }
            return ExitCodes.Config;
        }
#if !EMULATORS
        if (settings.Board.Kind == BoardKind.Simulated && !settings.WhatsAppServerUrlGiven)
        {
            await Console.Error.WriteLineAsync($"wasms-gateway: {NoEmulatorMessage}");
            return ExitCodes.Config;
        }
#endif
        var redactor = new SecretRedactor();
        foreach (var secret in settings.SecretValues)
        {
            redactor.Add(secret);
        }
        var level = new LoggingLevelSwitch(settings.Log.Level);
        using var logger = CreateLogger(settings.Log, redactor, level);
        var log = logger.ForContext("SourceContext", "wasms-gateway");
        // SIGHUP's default action ends the process (exit 129). Daemon convention: re-read what can
        // change at run time (the log level) and keep running.
        using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            Reload(reload, level, log);
        });
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

        if (await ControlClient.IsAnsweringAsync(settings.Gateway.ControlSocketPath, cancellationToken))
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
        log.Information("Store {Path} open (schema v{Version}{Mode})", store.Path, store.SchemaVersion,
            store.CompatibilityMode ? ", written by newer firmware: compatibility mode after a rollback" : "");

#if EMULATORS
        // Dev mode: a simulated board and no WhatsApp:ServerUrl means the WhatsApp emulator on loopback.
        await using var emulator = settings.Board.Kind == BoardKind.Simulated && !settings.WhatsAppServerUrlGiven ? new WaEmulator() : null;
        Action<IServiceCollection> devServices = _ => { };
        if (emulator is not null)
        {
            emulator.Start();
            emulator.Contacts.AddDevDefaults("+" + IDevPhone.PhoneNumber); // Alice, Bob and the group "Team" talk to the gateway
            settings.WhatsApp.ServerUrl = emulator.Uri.ToString();
            settings.WhatsApp.TrustedRootKey = emulator.TrustedRootKeyHex;
            log.Information("Dev mode: WhatsApp emulator on {Url}; 'wasms-gateway dev scan' links its emulated phone", emulator.Uri);
            devServices = services => services.AddSingleton<IDevPhone>(new Dev.DevWhatsApp(emulator));
        }
        // Dev mode: a simulated board and no Tunnel:Url means the platform emulator on loopback;
        // Tunnel:Url, Tunnel:CaFile and Tunnel:EnrollmentCode point the tunnel client at it.
        await using var platform = settings.Board.Kind == BoardKind.Simulated && !settings.TunnelUrlGiven
            ? await Dev.DevPlatform.StartAsync(settings.Gateway.StateDirectory, settings.Tunnel, line => log.Debug("Platform emulator: {Line}", line), cancellationToken)
            : null;
        if (platform is not null)
        {
            log.Information("Dev mode: platform emulator tunnel {Url}, API {ApiUrl}; its secret and an enrollment code are in {File}",
                platform.TunnelUri, platform.ApiUri, Dev.DevPlatform.InfoFile(settings.Gateway.StateDirectory));
        }
#else
        Action<IServiceCollection> devServices = _ => { };
#endif

#if !SIMULATOR_PAGE
        if (settings.Board.Kind == BoardKind.Simulated && settings.Simulator.Enabled)
        {
            log.Information("This build has no simulator page (published with SimulatorPage=false); scripts/dev runs a build with it");
        }
#endif
        var systemd = SystemdSettings.FromEnvironment(environment, Environment.ProcessId);
        using var host = GatewayHost.Build(settings, systemd, store, logger, time, devServices);
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

#if !EMULATORS
    /// <summary>Why a build without the emulators (<c>Emulators=false</c>, the image's AOT binary) refuses dev mode.</summary>
    internal const string NoEmulatorMessage =
        "this build has no WhatsApp emulator (Emulators=false): a simulated board needs WhatsApp:ServerUrl and WhatsApp:TrustedRootKey, e.g. from 'wasms-gateway dev wa-server' of a build with it (scripts/dev)";

#endif
    private static List<string> CheckPaths(GatewaySettings settings)
    {
        var problems = new List<string>();
        if (settings.Log.File.Length > 0 && LogFileProblem(settings.Log.File) is { } logProblem)
        {
            problems.Add(settings.Problem("Log:File", settings.Log.File, logProblem));
        }
        if (StateDirectory.Prepare(settings.Gateway.StateDirectory) is { } stateProblem)
        {
            problems.Add(settings.Problem("Gateway:StateDirectory", settings.Gateway.StateDirectory, stateProblem));
        }
        return problems;
    }

    /// <summary>Serilog's file sink drops lines it cannot write without a word: check the place first.</summary>
    private static string? LogFileProblem(string file)
    {
        string path;
        try
        {
            path = Path.GetFullPath(file);
        }
        catch (ArgumentException)
        {
            return "is not a usable path";
        }
        var directory = Path.GetDirectoryName(path) ?? "/";
        return Directory.Exists(path) ? "is a directory; name a file in it (the date is added to the name, one file a day)"
            : !Directory.Exists(directory) ? $"its directory {directory} does not exist"
            : !StateDirectory.IsWritable(directory) ? $"its directory {directory} is not writable for this user"
            : null;
    }

    internal static void Reload(Func<GatewaySettings>? reload, LoggingLevelSwitch level, Serilog.ILogger log)
    {
        if (reload is null)
        {
            log.Information("SIGHUP: nothing to reload");
            return;
        }
        try
        {
            var fresh = reload().Log.Level;
            // Said before the switch, so it is seen whether the level goes up or down.
            log.Information("SIGHUP: configuration re-read; log level {Old} -> {New} (other settings take effect at the next start)", level.MinimumLevel, fresh);
            level.MinimumLevel = fresh;
        }
        catch (ConfigurationException ex)
        {
            log.Warning("SIGHUP: configuration not reloaded, the running settings stay: {Problems}", string.Join("; ", ex.Problems));
        }
        catch (Exception ex)
        {
            // On the signal thread an escaping exception would end the service. Only the type is
            // logged: a binder's or parser's message may quote a configured (secret) value.
            log.Warning("SIGHUP: configuration not reloaded ({Error}), the running settings stay", ex.GetType().Name);
        }
    }

    public static Logger CreateLogger(LogOptions options, SecretRedactor redactor, LoggingLevelSwitch? level = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configuration = new LoggerConfiguration()
            .MinimumLevel.ControlledBy(level ?? new LoggingLevelSwitch(options.Level))
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
