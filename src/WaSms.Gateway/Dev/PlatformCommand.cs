using System.Net.Sockets;
using WaSms.Emulators.Platform;

namespace WaSms.Gateway.Dev;

/// <summary>What <c>dev platform</c> was asked for.</summary>
/// <param name="DataDirectory">The emulator's data directory (database, CA, secret).</param>
public sealed record PlatformCommandOptions(int TunnelPort, int ApiPort, int Codes, string DataDirectory, bool Json)
{
    /// <summary>The default ports: the tunnel on 8789, the API on 8790 (the issue's example URL).</summary>
    public const int DefaultTunnelPort = 8789;

    /// <inheritdoc cref="DefaultTunnelPort"/>
    public const int DefaultApiPort = 8790;

    /// <summary>The per-user default data directory, kept across runs so a gateway stays enrolled.</summary>
    public static string DefaultDataDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "wasms-gateway", "platform-emulator");
}

/// <summary>
/// <c>wasms-gateway dev platform</c>: the WaSMS platform emulator on its own (docs/tunnel.md's other
/// side plus the small HTTP API), for pointing any gateway at it with <c>Tunnel:Url</c>,
/// <c>Tunnel:CaFile</c> and <c>Tunnel:EnrollmentCode</c>. Prints what those need (one JSON object with
/// <c>--json</c>), then one line per tunnel event on standard error until SIGINT/SIGTERM.
/// </summary>
public static class PlatformCommand
{
    public static async Task<int> RunAsync(PlatformCommandOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var signals = new StopSignals(stop);

        var log = TextWriter.Synchronized(error);
        PlatformEmulator emulator;
        try
        {
            emulator = await PlatformEmulator.StartAsync(options.DataDirectory, options.TunnelPort, options.ApiPort, TimeProvider.System,
                line => log.WriteLine($"platform: {line}"), settings: null, stop.Token);
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            await error.WriteLineAsync($"wasms-gateway: the platform emulator cannot start with data directory {options.DataDirectory} and ports {options.TunnelPort}/{options.ApiPort}: {ex.Message}");
            return ExitCodes.Failure;
        }

        await using (emulator)
        {
            var codes = new List<string>();
            for (var i = 0; i < options.Codes; i++)
            {
                codes.Add(await emulator.IssueCodeAsync(stop.Token));
            }

            if (options.Json)
            {
                await output.WriteLineAsync(emulator.ConnectionInfo(codes).ToJsonString());
            }
            else
            {
                await output.WriteLineAsync($"WaSMS platform emulator (data in {options.DataDirectory})");
                await output.WriteLineAsync($"Tunnel URL:      {emulator.TunnelUri}");
                await output.WriteLineAsync($"API base URL:    {emulator.ApiUri}");
                await output.WriteLineAsync($"API secret:      {emulator.Secret}");
                await output.WriteLineAsync($"CA file:         {emulator.CaFile}");
                foreach (var code in codes)
                {
                    await output.WriteLineAsync($"Enrollment code: {code} (valid {new Emulators.Platform.Tunnel.TunnelSettings().CodeLifetime.TotalHours:0} h)");
                }

                await output.WriteLineAsync($"Point a gateway at it: --Tunnel:Url={emulator.TunnelUri} --Tunnel:CaFile={emulator.CaFile} --Tunnel:EnrollmentCode={(codes.Count > 0 ? codes[0] : "CODE")}");
            }

            await output.FlushAsync(stop.Token);
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }

        return ExitCodes.Ok;
    }
}
