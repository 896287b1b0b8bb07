using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace WaSms.Gateway.Provisioning;

/// <summary>
/// <c>wasms-gateway provision [--root DIR] [--file PATH]</c>: reads the provisioning file from the boot
/// partition, applies it, scrubs its secrets and writes the report. Run as root by
/// <c>wasms-provision.service</c> on every boot, before the network and the gateway start. A bad file
/// changes nothing: the last good settings stay and the report names the key and line. A file is
/// applied once: the SHA-256 of what was applied is remembered, and an unchanged file costs the
/// boot nothing (docs/image.md).
/// </summary>
internal static class ProvisionCommand
{
    public const string DefaultFile = "/boot/firmware/wasms-gateway.txt";
    public const string ServiceUser = "wasms";

    /// <summary>
    /// The largest provisioning file read. The commented template is about 3 KB and every key's value
    /// is short (an SSH key line is under 1 KB); 64 KiB is far above any real file and far below what
    /// a 512 MB board's 64 MB heap could be made to hold (a 20 MB file ended in "Out of memory").
    /// </summary>
    public const int MaxFileBytes = 64 * 1024;

    /// <summary>Root-only record of the last applied file: <c>sha256=…</c> and <c>at=…</c> lines.</summary>
    public const string AppliedRecord = ProvisioningApplier.StateDirectory + "/provisioning.applied";

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
        var bytes = await ReadCappedAsync(path, cancellationToken);
        if (bytes is null)
        {
            var message = $"the file is {new FileInfo(path).Length} bytes; a provisioning file may have at most {MaxFileBytes} bytes ({MaxFileBytes / 1024} KiB)";
            await error.WriteLineAsync($"provision: {file}: {message}; nothing applied, the last good settings stay");
            return await ReportAsync(files, ProvisioningReport.Failure(file, now, "", 0, message), ExitCodes.Config, error);
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (AppliedBefore(files, hash) is { } appliedAt)
        {
            await output.WriteLineAsync($"provision: {file} unchanged since {appliedAt}, nothing applied");
            return ExitCodes.Ok;
        }

        ProvisioningFile parsed;
        try
        {
            parsed = ProvisioningFile.Parse(Encoding.UTF8.GetString(bytes), files.Root);
        }
        catch (ProvisioningFileException ex)
        {
            // Line number and key name only: never a value or the text of a line (it may be a secret).
            await error.WriteLineAsync($"provision: {file} line {ex.Line}: {(ex.Key.Length > 0 ? ex.Key + ": " : "")}{ex.Message}; nothing applied, the last good settings stay");
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
            var clean = Encoding.UTF8.GetBytes(parsed.Scrubbed(now.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)));
            await File.WriteAllBytesAsync(temp, clean, cancellationToken);
            File.Move(temp, path, overwrite: true);
            hash = Convert.ToHexStringLower(SHA256.HashData(clean)); // what the card holds from now on
        }
        try
        {
            files.Write(AppliedRecord, $"sha256={hash}\nat={now.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"provision: cannot write {AppliedRecord} ({ex.Message}); the file will be applied again next boot");
        }
        await output.WriteLineAsync($"provision: applied {(applied.Count > 0 ? string.Join(", ", applied) : "nothing (all values empty)")}" +
            (scrubbed.Length > 0 ? $"; removed {string.Join(", ", scrubbed)} from {file}" : ""));
        return await ReportAsync(files, ProvisioningReport.Success(file, now, applied, scrubbed), ExitCodes.Ok, error);
    }

    /// <returns>The file's bytes, or null when it is larger than <see cref="MaxFileBytes"/> (read no further than that).</returns>
    private static async Task<byte[]?> ReadCappedAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        var buffer = new byte[MaxFileBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }
        return length > MaxFileBytes ? null : buffer[..length];
    }

    /// <summary>When the file with this hash was applied, or null when it was not (or the record is unreadable).</summary>
    private static string? AppliedBefore(TargetFiles files, string hash)
    {
        try
        {
            var lines = (files.ReadOrNull(AppliedRecord) ?? "").Split('\n');
            return lines.Contains($"sha256={hash}")
                ? lines.FirstOrDefault(l => l.StartsWith("at=", StringComparison.Ordinal))?[3..] ?? "an earlier boot"
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static async Task<int> ReportAsync(TargetFiles files, string report, int exitCode, TextWriter error)
    {
        const UnixFileMode Mode640 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        if (exitCode != ExitCodes.Ok)
        {
            // A refused file replaces the report: the applied record must go too, or the last good file
            // put back byte for byte would count as unchanged and this refusal would stay reported.
            try
            {
                if (File.Exists(files.PathOf(AppliedRecord)))
                {
                    File.Delete(files.PathOf(AppliedRecord));
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"provision: cannot remove {AppliedRecord} ({ex.Message})");
            }
        }
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
