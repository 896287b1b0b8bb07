using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace WaSms.Health.Mqtt;

/// <summary>
/// Linux health readings from /proc and /sys (paths under <paramref name="root"/>, "/" in production,
/// a fake tree in tests): uptime, CPU temperature (<c>/sys/class/thermal</c>), load, memory, free
/// space of the root file system and the data partition (the state directory), and the Raspberry Pi
/// throttling flags (<c>/sys/devices/platform/soc/soc:firmware/get_throttled</c>, else
/// <c>vcgencmd get_throttled</c>). Anything missing is reported as null, never as an error.
/// </summary>
/// <param name="dataDirectory">The state directory; its file system is the "data partition".</param>
/// <param name="root">File-system root for /proc and /sys.</param>
/// <param name="vcgencmd">The vcgencmd program, or null to never run it.</param>
public sealed class SystemMetrics(string dataDirectory, string root = "/", string? vcgencmd = "vcgencmd") : ISystemMetrics
{
    private static readonly TimeSpan VcgencmdTimeout = TimeSpan.FromSeconds(3);
    private bool _vcgencmdMissing = vcgencmd is null;

    public async Task<SystemSample> SampleAsync(CancellationToken cancellationToken)
    {
        var uptime = FirstNumber(await ReadAsync("proc/uptime", cancellationToken));
        var temperature = await ReadCpuTemperatureAsync(cancellationToken);
        var load = (await ReadAsync("proc/loadavg", cancellationToken))?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var (usedPercent, availableMb) = ParseMemory(await ReadAsync("proc/meminfo", cancellationToken));
        return new SystemSample(
            uptime,
            temperature,
            Number(load, 0),
            Number(load, 1),
            Number(load, 2),
            usedPercent,
            availableMb,
            FreeMegabytes(root),
            FreeMegabytes(dataDirectory),
            await ReadThrottleAsync(cancellationToken));
    }

    private async Task<double?> ReadCpuTemperatureAsync(CancellationToken cancellationToken)
    {
        var thermal = Path.Combine(root, "sys/class/thermal");
        if (!Directory.Exists(thermal))
        {
            return null;
        }
        string? chosen = null;
        foreach (var zone in Directory.EnumerateDirectories(thermal, "thermal_zone*").Order(StringComparer.Ordinal))
        {
            var type = (await ReadFileAsync(Path.Combine(zone, "type"), cancellationToken))?.Trim() ?? "";
            chosen ??= zone;
            if (type.Contains("cpu", StringComparison.OrdinalIgnoreCase) || type.Contains("soc", StringComparison.OrdinalIgnoreCase)
                || type.Contains("pkg", StringComparison.OrdinalIgnoreCase))
            {
                chosen = zone;
                break;
            }
        }
        var milli = chosen is null ? null : FirstNumber(await ReadFileAsync(Path.Combine(chosen, "temp"), cancellationToken));
        return milli is null ? null : Math.Round(milli.Value / 1000.0, 1);
    }

    private async Task<ThrottleFlags?> ReadThrottleAsync(CancellationToken cancellationToken)
    {
        var sysfs = await ReadAsync("sys/devices/platform/soc/soc:firmware/get_throttled", cancellationToken);
        if (ThrottleFlags.TryParse(sysfs, out var flags))
        {
            return flags;
        }
        if (_vcgencmdMissing)
        {
            return null;
        }
        try
        {
            var psi = new ProcessStartInfo(vcgencmd!, "get_throttled")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(psi);
            if (process is null)
            {
                _vcgencmdMissing = true;
                return null;
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(VcgencmdTimeout);
            var output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return process.ExitCode == 0 && ThrottleFlags.TryParse(output, out flags) ? flags : null;
        }
        catch (Win32Exception)
        {
            _vcgencmdMissing = true; // not a Raspberry Pi OS image: don't try again
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static (double? UsedPercent, long? AvailableMegabytes) ParseMemory(string? meminfo)
    {
        if (meminfo is null)
        {
            return (null, null);
        }
        long? total = null, available = null;
        foreach (var line in meminfo.Split('\n'))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
            {
                total = (long?)FirstNumber(line["MemTotal:".Length..]);
            }
            else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
            {
                available = (long?)FirstNumber(line["MemAvailable:".Length..]);
            }
        }
        if (total is not > 0 || available is null)
        {
            return (null, null);
        }
        return (Math.Round(100.0 * (total.Value - available.Value) / total.Value, 1), available.Value / 1024);
    }

    private static long? FreeMegabytes(string path)
    {
        try
        {
            return Directory.Exists(path) ? new DriveInfo(path).AvailableFreeSpace / (1024 * 1024) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    private Task<string?> ReadAsync(string relative, CancellationToken cancellationToken) =>
        ReadFileAsync(Path.Combine(root, relative), cancellationToken);

    private static async Task<string?> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static double? Number(string[]? parts, int index) =>
        parts is not null && parts.Length > index && double.TryParse(parts[index], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value : null;

    private static double? FirstNumber(string? text)
    {
        var parts = text?.Split([' ', '\t', '\n', '\0'], StringSplitOptions.RemoveEmptyEntries);
        return Number(parts, 0);
    }
}
