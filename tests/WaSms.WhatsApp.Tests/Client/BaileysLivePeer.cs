using System.Diagnostics;
using Xunit.Abstractions;

namespace WaSms.WhatsApp.Tests.Client;

/// <summary>
/// Runs one of the live Baileys peer scripts with node, hands each line it prints to the test, and
/// returns its "OPEN …" line (or null when it ended without one). Shared by the QR and code peers.
/// </summary>
internal static class BaileysLivePeer
{
    public static async Task<string?> RunUntilOpenAsync(
        string script, IEnumerable<string> arguments, Func<string, Task> onLine, ITestOutputHelper output, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Path.GetDirectoryName(script)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
            {
                output.WriteLine(line);
                if (line.StartsWith("OPEN ", StringComparison.Ordinal))
                {
                    return line;
                }
                await onLine(line);
            }
            return null;
        }
        finally
        {
            if (!process.HasExited)
            {
                await process.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
                if (!process.HasExited)
                {
                    process.Kill();
                }
            }
            output.WriteLine(await stderr);
        }
    }
}
