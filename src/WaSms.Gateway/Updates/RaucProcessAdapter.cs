using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace WaSms.Gateway.Updates;

/// <summary>
/// <see cref="IRaucAdapter"/> over the installed tools: <c>wasms-bundle-check</c> (image/update/) and
/// <c>rauc install</c>, whose command-line client asks the root RAUC service over D-Bus, so the
/// sandboxed gateway never writes a slot itself (docs/updates.md, "Installing").
/// </summary>
public sealed partial class RaucProcessAdapter(string checkTool = RaucProcessAdapter.DefaultCheckTool, string rauc = "rauc",
    IReadOnlyDictionary<string, string>? environment = null) : IRaucAdapter
{
    public const string DefaultCheckTool = "/usr/lib/wasms-update/wasms-bundle-check";

    public async Task<BundleCheck> CheckAsync(string bundlePath, CancellationToken cancellationToken)
    {
        var (code, output, error) = await RunAsync(checkTool, [bundlePath], null, cancellationToken);
        var line = output.Trim();
        if (code == 0 && line.StartsWith("ok ", StringComparison.Ordinal))
        {
            return BundleCheck.Valid(line[3..].Trim());
        }
        // wasms-bundle-check prints one line: "refused: <reason>" (exit 2 or 3).
        var reason = FirstLine(error) ?? FirstLine(output) ?? $"exit {code}";
        return BundleCheck.Refused(reason.StartsWith("refused: ", StringComparison.Ordinal) ? reason["refused: ".Length..] : reason);
    }

    public async Task InstallAsync(string bundlePath, IProgress<InstallProgress> progress, CancellationToken cancellationToken)
    {
        string? lastError = null;
        var (code, _, error) = await RunAsync(rauc, ["install", bundlePath], line =>
        {
            if (ParseProgress(line) is { } p)
            {
                progress.Report(p);
            }
            else if (line.StartsWith("LastError:", StringComparison.Ordinal))
            {
                // RAUC's client prints the service's LastError property when an installation fails.
                lastError = line["LastError:".Length..].Trim();
            }
        }, cancellationToken);
        if (code != 0)
        {
            throw new UpdateFailedException(lastError ?? FirstLine(error) ?? $"rauc install exited with {code}");
        }
    }

    /// <summary>One progress line of <c>rauc install</c>: <c>" 40% Copying image to rootfs.1"</c>; null for anything else.</summary>
    public static InstallProgress? ParseProgress(string line)
    {
        var match = ProgressLine().Match(line);
        return match.Success
            ? new InstallProgress(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Value.Trim())
            : null;
    }

    [GeneratedRegex(@"^\s*(\d{1,3})%\s+(.+)$")]
    private static partial Regex ProgressLine();

    private static string? FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .FirstOrDefault(l => !l.StartsWith("rauc-Message", StringComparison.Ordinal));

    private async Task<(int Code, string Output, string Error)> RunAsync(string file, IReadOnlyList<string> arguments,
        Action<string>? onLine, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new UpdateFailedException($"{file} cannot be run ({ex.Message}); is this an A/B image?", ex);
        }
        // A cancelled check stops reading at once; RAUC's service finishes or aborts an install on its own.
        await using var kill = cancellationToken.Register(() =>
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        });
        var errorTask = process.StandardError.ReadToEndAsync(cancellationToken);
        var output = new System.Text.StringBuilder();
        while (await process.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
        {
            output.AppendLine(line);
            onLine?.Invoke(line);
        }
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, output.ToString(), await errorTask);
    }
}
