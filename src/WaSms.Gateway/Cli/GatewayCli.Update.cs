using System.Globalization;
using WaSms.Gateway.Configuration;
using WaSms.Gateway.Control;

namespace WaSms.Gateway.Cli;

public static partial class GatewayCli
{
    /// <summary>
    /// <c>update BUNDLE|URL</c>: the service downloads a URL itself (resumable, into its updates directory), checks the
    /// bundle (signature and every block) before anything is written, then installs it; this follows the update in
    /// <c>status</c> unless <c>--no-wait</c>. <c>update --offer</c>: install the platform's offer now.
    /// Exit 0 installed (or started, with --no-wait), 64 bad input, 65 refused bundle or another sha256, 1 failed or busy.
    /// </summary>
    private static async Task<int> UpdateAsync(GatewaySettings settings, CommandLine commandLine, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        const string usage = "usage: wasms-gateway update <bundle.raucb|https-url> [--sha256 HEX] [--reboot] [--no-wait]  or  wasms-gateway update <https-url> --sha256 HEX --version V --when-quiet [--urgent]  or  wasms-gateway update --offer|--dismiss";
        ControlRequest request;
        if (commandLine.Has("--dismiss"))
        {
            if (commandLine.Arguments.Count != 0 || commandLine.Has("--offer"))
            {
                throw new UsageException(usage);
            }
            return await ReportAsync(await ControlClient.SendAsync(settings.Gateway.ControlSocketPath, new ControlRequest("update-dismiss"),
                Timeout(commandLine, TimeSpan.FromSeconds(15)), cancellationToken), output, error);
        }
        if (commandLine.Has("--offer"))
        {
            if (commandLine.Arguments.Count != 0)
            {
                throw new UsageException(usage);
            }
            request = new ControlRequest("update", Offer: true);
        }
        else if (commandLine.Arguments.Count != 1)
        {
            throw new UsageException(usage);
        }
        else if (commandLine.Arguments[0].Contains("://", StringComparison.Ordinal))
        {
            if (Updates.BundleDownloader.CheckUrl(commandLine.Arguments[0], settings.Updates.AllowHttp, out var url) is { } problem)
            {
                throw new UsageException($"update: {problem}");
            }
            var sha = commandLine.Flags.GetValueOrDefault("--sha256");
            if (sha is not null && !Updates.BundleDownloader.IsSha256(sha))
            {
                throw new UsageException($"update: --sha256 takes 64 hex digits, not \"{sha}\"");
            }
            if (commandLine.Has("--when-quiet"))
            {
                // An offer, as the platform's update-available: it needs what that command needs (docs/tunnel.md §7.1).
                var version = commandLine.Flags.GetValueOrDefault("--version");
                if (sha is null || version is null || !Updates.FirmwareVersion.IsVersion(version) || commandLine.Has("--reboot") || commandLine.Has("--no-wait"))
                {
                    throw new UsageException("update --when-quiet: give the bundle's --version (letters, digits and . + ~ -) and its --sha256; it installs and reboots by itself");
                }
                request = new ControlRequest("update", Url: url!.AbsoluteUri, Sha256: sha, Version: version, WhenQuiet: true, Urgent: commandLine.Has("--urgent"));
            }
            else if (commandLine.Has("--version") || commandLine.Has("--urgent"))
            {
                throw new UsageException("update: --version and --urgent go with --when-quiet (an offer); without it the update installs now");
            }
            else
            {
                request = new ControlRequest("update", Url: url!.AbsoluteUri, Sha256: sha, Reboot: commandLine.Has("--reboot"));
            }
        }
        else
        {
            if (commandLine.Has("--sha256") || commandLine.Has("--when-quiet") || commandLine.Has("--version") || commandLine.Has("--urgent"))
            {
                throw new UsageException("update: --sha256, --version, --when-quiet and --urgent are for a URL; a bundle file installs now, checked by its signature");
            }
            var bundle = Path.GetFullPath(commandLine.Arguments[0]);
            if (!File.Exists(bundle))
            {
                throw new UsageException($"update: {bundle} does not exist");
            }
            request = new ControlRequest("update", Bundle: bundle, Reboot: commandLine.Has("--reboot"));
        }
        // Checking reads the whole bundle (tens of MB from the SD card): allow for it.
        var response = await ControlClient.SendAsync(settings.Gateway.ControlSocketPath, request,
            Timeout(commandLine, TimeSpan.FromMinutes(5)), cancellationToken);
        if (!response.Ok)
        {
            await error.WriteLineAsync($"wasms-gateway: {response.Error}");
            return response.Code == "refused" ? ExitCodes.DataError : response.Code == "usage" ? ExitCodes.Usage : ExitCodes.Failure;
        }
        await output.WriteLineAsync(response.Message);
        if (commandLine.Has("--no-wait") || request.Offer || request.WhenQuiet)
        {
            return ExitCodes.Ok;
        }
        string? last = null;
        while (true)
        {
            var update = (await GetStatusAsync(settings, commandLine, cancellationToken)).Update;
            var line = update is null ? "no update in progress (the gateway restarted?)" : update.Describe();
            // A download's progress changes all the time: one line per ten percent is enough to follow it.
            var key = update?.Phase == "downloading" ? $"downloading {update.Bundle} {update.Percent / 10}" : line;
            if (key != last)
            {
                await output.WriteLineAsync(line);
                last = key;
            }
            switch (update?.Phase)
            {
                case "installed":
                    return ExitCodes.Ok;
                case "refused":
                    return ExitCodes.DataError;
                case "installing" or "checking" or "checked" or "downloading":
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                    continue;
                default:
                    return ExitCodes.Failure;
            }
        }
    }
}
