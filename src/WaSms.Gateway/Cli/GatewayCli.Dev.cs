using System.Globalization;

namespace WaSms.Gateway.Cli;

/// <summary>The emulators on their own: <c>dev wa-server</c> and <c>dev platform</c> (only in builds with <c>Emulators=true</c>).</summary>
public static partial class GatewayCli
{
#if !EMULATORS
    private static string NoEmulators(string command) =>
        $"wasms-gateway: this build has no emulators (Emulators=false); 'dev {command}' needs a build with them (scripts/dev)";

#endif

    private static async Task<int> DevWaServerAsync(CommandLine commandLine, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (!TryNumberFlag(commandLine, "--port", 0, 65535, 0, out var port, out var problem))
        {
            await error.WriteLineAsync(problem);
            return ExitCodes.Usage;
        }
#if EMULATORS
        return await Dev.WaServerCommand.RunAsync(port, Console.In, output, error, cancellationToken);
#else
        await error.WriteLineAsync(NoEmulators("wa-server"));
        return ExitCodes.Config;
#endif
    }

    private static async Task<int> DevPlatformAsync(CommandLine commandLine, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
#if EMULATORS
        const int DefaultTunnelPort = Dev.PlatformCommandOptions.DefaultTunnelPort, DefaultApiPort = Dev.PlatformCommandOptions.DefaultApiPort;
#else
        const int DefaultTunnelPort = 0, DefaultApiPort = 0;
#endif
        if (!TryNumberFlag(commandLine, "--port", 0, 65535, DefaultTunnelPort, out var port, out var problem) ||
            !TryNumberFlag(commandLine, "--api-port", 0, 65535, DefaultApiPort, out var apiPort, out problem) ||
            !TryNumberFlag(commandLine, "--codes", 0, 1000, 1, out var codes, out problem))
        {
            await error.WriteLineAsync(problem);
            return ExitCodes.Usage;
        }
#if EMULATORS
        var data = commandLine.Flags.GetValueOrDefault("--data") ?? Dev.PlatformCommandOptions.DefaultDataDirectory;
        return await Dev.PlatformCommand.RunAsync(new Dev.PlatformCommandOptions(port, apiPort, codes, Path.GetFullPath(data), commandLine.Has("--json")), output, error, cancellationToken);
#else
        _ = (output, cancellationToken);
        await error.WriteLineAsync(NoEmulators("platform"));
        return ExitCodes.Config;
#endif
    }

    /// <summary>Reads a whole-number flag in [min, max] (the default when absent); false with a one-line problem otherwise.</summary>
    private static bool TryNumberFlag(CommandLine commandLine, string flag, int min, int max, int fallback, out int value, out string problem)
    {
        problem = "";
        value = fallback;
        if (!commandLine.Flags.TryGetValue(flag, out var text))
        {
            return true;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max)
        {
            return true;
        }

        problem = $"wasms-gateway: {flag} takes a number from {min} to {max}, not \"{text}\"";
        return false;
    }
}
