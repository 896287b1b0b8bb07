using System.Globalization;
using WaSms.Gateway.Cli;

namespace WaSms.Gateway.Provisioning;

/// <summary>
/// <c>wasms-gateway provision [--root DIR] [--file PATH]</c>: reads the provisioning file from the boot
/// partition, applies it, scrubs its secrets and writes the report. Run as root by
/// <c>wasms-provision.service</c> on every boot, before the network and the gateway start. A bad file
/// changes nothing: the last good settings stay and the report names the key and line.
/// </summary>
internal static class ProvisionCommand
{
    public const string DefaultFile = "/boot/firmware/wasms-gateway.txt";
    public const string ServiceUser = "wasms";

    /// <param name="root">Where the system's files are (<c>/</c>; a temporary directory in tests).</param>
    /// <param name="file">The provisioning file as seen on the gateway (below <paramref name="root"/>).</param>
    public static async Task<int> RunAsync(string root, string file, TimeProvider time, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var files = new TargetFiles(root);
        var path = files.PathOf(file);
        if (!File.Exists(path))
        {
            await output.WriteLineAsync($"provision: no {file}; nothing to apply");
            return ExitCodes.Ok;
        }
        var now = time.GetUtcNow();
        ProvisioningFile parsed;
        try
        {
            parsed = ProvisioningFile.Parse(await File.ReadAllTextAsync(path, cancellationToken), files.Root);
        }
        catch (ProvisioningFileException ex)
        {
            await error.WriteLineAsync($"provision: {file} line {ex.Line}: {ex.Key}: {ex.Message}; nothing applied, the last good settings stay");
            return await ReportAsync(files, ProvisioningReport.Failure(file, now, ex.Key, ex.Line, ex.Message), ExitCodes.Config, error);
        }

        IReadOnlyList<string> applied;
        try
        {
            applied = new ProvisioningApplier(files, ServiceUser).Apply(parsed);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"provision: applying {file} failed: {ex.Message}");
            return await ReportAsync(files, ProvisioningReport.Failure(file, now, "", 0, $"applying failed: {ex.Message}"), ExitCodes.Failure, error);
        }

        var scrubbed = applied.Where(ProvisioningKeys.Secrets.Contains).ToArray();
        if (scrubbed.Length > 0)
        {
            // The FAT partition has no permissions: secrets must not stay there once they are stored.
            var temp = path + ".tmp";
            await File.WriteAllTextAsync(temp, parsed.Scrubbed(now.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)), cancellationToken);
            File.Move(temp, path, overwrite: true);
        }
        await output.WriteLineAsync($"provision: applied {(applied.Count > 0 ? string.Join(", ", applied) : "nothing (all values empty)")}" +
            (scrubbed.Length > 0 ? $"; removed {string.Join(", ", scrubbed)} from {file}" : ""));
        return await ReportAsync(files, ProvisioningReport.Success(file, now, applied, scrubbed), ExitCodes.Ok, error);
    }

    private static async Task<int> ReportAsync(TargetFiles files, string report, int exitCode, TextWriter error)
    {
        const UnixFileMode Mode640 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        try
        {
            files.EnsureDirectory(ProvisioningApplier.StateDirectory,
                Mode640 | UnixFileMode.UserExecute | UnixFileMode.GroupExecute, ServiceUser, ServiceUser);
            files.Write(ProvisioningReport.Target, report, Mode640, ServiceUser, ServiceUser);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"provision: cannot write {ProvisioningReport.Target}: {ex.Message}");
            return exitCode == ExitCodes.Ok ? ExitCodes.Failure : exitCode;
        }
        return exitCode;
    }
}
