using System.Collections;
using System.Globalization;
using System.Text.Json;
using WaSms.Core.Reset;
using WaSms.Gateway.Configuration;
using WaSms.Gateway.Control;
using WaSms.Gateway.Hosting;
using WaSms.Hardware.Imaging;

namespace WaSms.Gateway.Cli;

/// <summary>The <c>wasms-gateway</c> command line: one binary for the service and its tools.</summary>
public static partial class GatewayCli
{
    public static async Task<int> RunAsync(string[] args, IDictionary environment, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        CommandLine commandLine;
        try
        {
            commandLine = CommandLine.Parse(args);
        }
        catch (UsageException ex)
        {
            await error.WriteLineAsync($"wasms-gateway: {ex.Message}\n\n{CommandLine.Usage}");
            return ExitCodes.Usage;
        }
        if (commandLine.Verb == "help" || commandLine.Has("--help") || commandLine.Has("-h"))
        {
            await output.WriteLineAsync(CommandLine.Usage);
            return ExitCodes.Ok;
        }
        if (commandLine.Verb == "version")
        {
            await output.WriteLineAsync($"wasms-gateway {StatusProvider.Version}");
            return ExitCodes.Ok;
        }

        if (commandLine.Verb == "dev" && commandLine.Arguments is ["wa-server"])
        {
            return await DevWaServerAsync(commandLine, output, error, cancellationToken);
        }

        if (commandLine.Verb == "dev" && commandLine.Arguments is ["platform"])
        {
            return await DevPlatformAsync(commandLine, output, error, cancellationToken);
        }

        if (commandLine.Verb == "provision")
        {
            // Before the settings are loaded: provisioning is what writes them.
            return await Provisioning.ProvisionCommand.RunAsync(
                commandLine.Flags.GetValueOrDefault("--root") ?? "/",
                commandLine.Flags.GetValueOrDefault("--file") ?? Provisioning.ProvisionCommand.DefaultFile,
                TimeProvider.System, output, error, cancellationToken);
        }

        if (commandLine.Verb == "wa")
        {
            try
            {
                return await WaDiagnosticsAsync(commandLine, output, error);
            }
            catch (UsageException ex)
            {
                await error.WriteLineAsync($"wasms-gateway: {ex.Message}");
                return ExitCodes.Usage;
            }
        }

        GatewaySettings settings;
        try
        {
            settings = ConfigurationLoader.Load(commandLine.Settings, commandLine.ConfigFile, environment);
        }
        catch (ConfigurationException ex)
        {
            foreach (var problem in ex.Problems)
            {
                await error.WriteLineAsync($"wasms-gateway: {problem}");
            }
            return ExitCodes.Config;
        }

        try
        {
            return commandLine.Verb switch
            {
                "run" => await RunCommand.RunAsync(settings, environment,
                    () => ConfigurationLoader.Load(commandLine.Settings, commandLine.ConfigFile, environment), cancellationToken),
                "status" => await StatusAsync(settings, commandLine, output, error, cancellationToken),
                "qr" => await QrAsync(settings, commandLine, output, error, cancellationToken),
                "press" => await PressAsync(settings, commandLine, output, error, cancellationToken),
                "reset" => await ResetAsync(settings, commandLine, output, error, cancellationToken),
                "pair-code" => await PairCodeAsync(settings, commandLine, output, error, cancellationToken),
                "enroll" => await EnrollAsync(settings, commandLine, output, error, cancellationToken),
                "update" => await UpdateAsync(settings, commandLine, output, error, cancellationToken),
                "dev" => commandLine.Arguments is ["say" or "group-say" or "inbox", ..]
                    ? await DevContactAsync(settings, commandLine, output, error, cancellationToken)
                    : await DevAsync(settings, commandLine, output, error, cancellationToken),
                "send" => await SendAsync(settings, commandLine, output, error, cancellationToken),
                "messages" => await MessagesAsync(settings, commandLine, output, error, cancellationToken),
                "groups" => await GroupsAsync(settings, commandLine, output, error, cancellationToken),
                "optouts" => await OptOutsAsync(settings, commandLine, output, error, cancellationToken),
                _ => await NotYetAsync(commandLine.Verb, error),
            };
        }
        catch (ServiceNotRunningException ex)
        {
            await error.WriteLineAsync($"wasms-gateway: {ex.Message}");
            return ExitCodes.NotRunning;
        }
        catch (UsageException ex)
        {
            await error.WriteLineAsync($"wasms-gateway: {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (Exception ex) when (ex is TimeoutException or IOException)
        {
            // A frozen gateway, or one that stopped while answering: one line, exit 1 (README "Exit codes").
            await error.WriteLineAsync($"wasms-gateway: {ex.Message}");
            return ExitCodes.Failure;
        }
    }

    /// <summary><c>--timeout SECONDS</c> for the commands that talk to the gateway, else the command's own.</summary>
    private static TimeSpan Timeout(CommandLine commandLine, TimeSpan fallback)
    {
        if (!commandLine.Flags.TryGetValue("--timeout", out var text))
        {
            return fallback;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and <= 3600
            ? TimeSpan.FromSeconds(seconds)
            : throw new UsageException($"--timeout takes seconds between 0 and 3600, not \"{text}\"");
    }


    /// <summary><c>wa decode HEX|-</c> prints a frame payload as JSON; <c>wa encode JSON|-</c> prints the payload as hex.</summary>
    private static async Task<int> WaDiagnosticsAsync(CommandLine commandLine, TextWriter output, TextWriter error)
    {
        if (commandLine.Arguments.Count != 2 || commandLine.Arguments[0] is not ("decode" or "encode"))
        {
            throw new UsageException("usage: wasms-gateway wa decode <hex>|-  or  wasms-gateway wa encode <json>|-");
        }
        try
        {
            var argument = commandLine.Arguments[1] == "-" ? await ReadBoundedAsync(Console.In, WhatsApp.Binary.NodeDiagnostics.MaxInputChars) : commandLine.Arguments[1];
            await output.WriteLineAsync(commandLine.Arguments[0] == "decode"
                ? WhatsApp.Binary.NodeDiagnostics.Decode(argument.Trim())
                : WhatsApp.Binary.NodeDiagnostics.Encode(argument));
            return ExitCodes.Ok;
        }
        catch (Exception ex) when (ex is WhatsApp.Binary.WaProtocolException or FormatException or System.Text.Json.JsonException)
        {
            await error.WriteLineAsync($"wasms-gateway: cannot {commandLine.Arguments[0]}: {ex.Message}");
            return ExitCodes.DataError;
        }
    }

    /// <summary>All of <paramref name="reader"/>, refusing more than <paramref name="maxChars"/> before holding it all in memory.</summary>
    /// <exception cref="FormatException">The input is longer.</exception>
    private static async Task<string> ReadBoundedAsync(TextReader reader, int maxChars)
    {
        var text = new System.Text.StringBuilder();
        var chunk = new char[64 * 1024];
        int read;
        while ((read = await reader.ReadAsync(chunk)) > 0)
        {
            if (text.Length + read > maxChars)
            {
                throw new FormatException($"The input is longer than {maxChars} characters (a frame payload is at most {WhatsApp.Binary.NodeDecoderLimits.Default.MaxInputSize} bytes).");
            }

            text.Append(chunk, 0, read);
        }

        return text.ToString();
    }

    /// <summary><c>enroll CODE</c>: hands the platform's one-time enrollment code to the running service (docs/tunnel.md §3).</summary>
    private static async Task<int> EnrollAsync(GatewaySettings settings, CommandLine commandLine, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (commandLine.Arguments.Count != 1 || !TunnelOptions.IsEnrollmentCode(commandLine.Arguments[0]))
        {
            throw new UsageException("usage: wasms-gateway enroll <code> (4-64 letters, digits or dashes, as the dashboard shows it)");
        }
        var response = await ControlClient.SendAsync(settings.Gateway.ControlSocketPath, new ControlRequest("enroll", Text: commandLine.Arguments[0]),
            Timeout(commandLine, TimeSpan.FromSeconds(15)), cancellationToken);
        return await ReportAsync(response, output, error);
    }

    /// <summary><c>pair-code +NUMBER</c>: link by phone number instead of the QR.</summary>
    private static async Task<int> PairCodeAsync(GatewaySettings settings, CommandLine commandLine, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (commandLine.Arguments.Count != 1)
        {
            throw new UsageException("usage: wasms-gateway pair-code +<phone number with country code>");
        }
        try
        {
            // The number's form is checked here, so a typo is a usage error (64), not a failure.
            WhatsApp.Pairing.PairingCode.NormalizePhoneNumber(commandLine.Arguments[0]);
        }
        catch (WhatsApp.Pairing.PairingCodeException ex)
        {
            throw new UsageException($"pair-code: {ex.Message}");
        }
        var response = await ControlClient.SendAsync(settings.Gateway.ControlSocketPath,
            new ControlRequest("pair-code", PhoneNumber: commandLine.Arguments[0]), Timeout(commandLine, TimeSpan.FromSeconds(45)), cancellationToken);
        // The gateway words it with the same menu path as the screen and the status reason (LinkTexts).
        return await ReportAsync(response, output, error);
    }

    /// <summary><c>dev scan [QR]</c>: the dev-mode emulated phone scans the QR on screen (or the one given).</summary>
    private static async Task<int> DevAsync(GatewaySettings settings, CommandLine commandLine, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (commandLine.Arguments.Count is < 1 or > 2 || commandLine.Arguments[0] is not ("scan" or "code"))
        {
            throw new UsageException("usage: wasms-gateway dev scan [QR-STRING] | dev code [CODE] | dev wa-server [--port N] | dev platform [--port N] [--api-port N] [--codes N] [--data DIR] [--json] | dev say | dev group-say | dev inbox");
        }
        var value = commandLine.Arguments.Count == 2 ? commandLine.Arguments[1] : null;
        var response = await ControlClient.SendAsync(settings.Gateway.ControlSocketPath,
            new ControlRequest(commandLine.Arguments[0] == "scan" ? "dev-scan" : "dev-code", Qr: value),
            Timeout(commandLine, TimeSpan.FromSeconds(30)), cancellationToken);
        return await ReportAsync(response, output, error);
    }

    private static async Task<int> NotYetAsync(string verb, TextWriter error)
    {
        await error.WriteLineAsync($"wasms-gateway: \"{verb}\" is not part of this firmware yet");
        return ExitCodes.Usage;
    }

    private static async Task<StatusReport> GetStatusAsync(GatewaySettings settings, CommandLine commandLine, CancellationToken cancellationToken)
    {
        var response = await ControlClient.SendAsync(settings.Gateway.ControlSocketPath, new ControlRequest("status"),
            Timeout(commandLine, TimeSpan.FromSeconds(10)), cancellationToken);
        return response.Status ?? throw new IOException(response.Error ?? "the gateway sent no status");
    }

    private static async Task<int> StatusAsync(GatewaySettings settings, CommandLine commandLine, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var json = commandLine.Has("--json");
        StatusReport status;
        try
        {
            status = await GetStatusAsync(settings, commandLine, cancellationToken);
        }
        catch (Exception ex) when (json && ex is ServiceNotRunningException or TimeoutException or IOException)
        {
            // Monitoring scripts parse stdout: they get an object in every case, and the exit code says the same.
            var (report, exitCode) = NoStatus(ex);
            await output.WriteLineAsync(JsonSerializer.Serialize(report, ControlJson.Readable.NoStatusReport));
            await error.WriteLineAsync($"wasms-gateway: {ex.Message}");
            return exitCode;
        }
        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(status, ControlJson.Readable.StatusReport));
            return ExitCodes.Ok;
        }
        await output.WriteLineAsync(StatusText.Format(status));
        return ExitCodes.Ok;
    }

    /// <summary>What <c>status --json</c> says when <paramref name="ex"/> kept the status from coming.</summary>
    internal static (NoStatusReport Report, int ExitCode) NoStatus(Exception ex) => ex switch
    {
        ServiceNotRunningException => (new NoStatusReport("not-running", false, ex.Message), ExitCodes.NotRunning),
        ControlAccessDeniedException => (new NoStatusReport("no-permission", null, ex.Message), ExitCodes.Failure),
        _ => (new NoStatusReport("not-answering", true, ex.Message), ExitCodes.Failure),
    };

    private static async Task<int> QrAsync(GatewaySettings settings, CommandLine commandLine, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var status = await GetStatusAsync(settings, commandLine, cancellationToken);
        if (status.Pairing?.Qr is { } qr)
        {
            await output.WriteAsync(QrMatrix.Encode(qr).ToTerminalText());
            var expires = status.Pairing.QrExpiresAt is { } at ? $", valid until {at.ToLocalTime():HH:mm:ss}" : "";
            await output.WriteLineAsync($"Scan with {LinkTexts.QrPath}{expires}");
            return ExitCodes.Ok;
        }
        if (status.Pairing?.PairingCode is { } code)
        {
            await output.WriteLineAsync($"Pairing code: {code} — {LinkTexts.PhoneNumberPath}");
            return ExitCodes.Ok;
        }
        await error.WriteLineAsync($"wasms-gateway: no QR to show; the gateway is {status.State}: {status.Reason}");
        return ExitCodes.Failure;
    }

    private static async Task<int> PressAsync(GatewaySettings settings, CommandLine commandLine, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var hold = 0.0;
        if (commandLine.Flags.TryGetValue("--hold", out var text) &&
            (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out hold) || hold < 0 || hold > 60))
        {
            throw new UsageException($"--hold takes seconds between 0 and 60, not \"{text}\"");
        }
        var response = await ControlClient.SendAsync(settings.Gateway.ControlSocketPath, new ControlRequest("press", hold),
            Timeout(commandLine, TimeSpan.FromSeconds(hold + 15)), cancellationToken);
        return await ReportAsync(response, output, error);
    }

    private static async Task<int> ResetAsync(GatewaySettings settings, CommandLine commandLine, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var response = await ControlClient.SendAsync(settings.Gateway.ControlSocketPath, new ControlRequest("reset", Factory: commandLine.Has("--factory")),
            Timeout(commandLine, TimeSpan.FromMinutes(5)), cancellationToken);
        if (!response.Ok && response.Message is not null)
        {
            // Only the undelivered-items question needs confirmation; "not possible while …" is a failure.
            await error.WriteLineAsync($"wasms-gateway: {response.Message}");
            return response.Message.Contains(ResetCoordinator.UndeliveredQuestion, StringComparison.Ordinal) ? ExitCodes.NeedsConfirmation : ExitCodes.Failure;
        }
        return await ReportAsync(response, output, error);
    }

    private static async Task<int> ReportAsync(ControlResponse response, TextWriter output, TextWriter error)
    {
        if (!response.Ok)
        {
            await error.WriteLineAsync($"wasms-gateway: {response.Error}");
            return ExitCodes.Failure;
        }
        await output.WriteLineAsync(response.Message);
        return ExitCodes.Ok;
    }
}
