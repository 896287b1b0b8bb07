using WaSms.Emulators.Platform;
using WaSms.Gateway.Configuration;

namespace WaSms.Gateway.Dev;

/// <summary>
/// Dev mode's WaSMS platform: the platform emulator on loopback (free ports), its data in the state
/// directory's <c>platform-emulator/</c>, and the gateway's <c>Tunnel:Url</c>, <c>Tunnel:CaFile</c> and
/// <c>Tunnel:EnrollmentCode</c> pointed at it. What a curl user needs (API URL, secret, a code) is in
/// <c>platform-emulator/platform.json</c> (owner only), never in the log.
/// </summary>
public static class DevPlatform
{
    /// <summary>Starts the emulator and points <paramref name="tunnel"/> at it.</summary>
    public static async Task<PlatformEmulator> StartAsync(string stateDirectory, TunnelOptions tunnel, Action<string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tunnel);
        var directory = Path.Combine(stateDirectory, "platform-emulator");
        var emulator = await PlatformEmulator.StartAsync(directory, 0, 0, TimeProvider.System, log, settings: null, cancellationToken);
        var code = await emulator.IssueCodeAsync(cancellationToken);
        tunnel.Url = emulator.TunnelUri.ToString();
        tunnel.CaFile = emulator.CaFile;
        tunnel.EnrollmentCode = code;
        await using var file = new FileStream(InfoFile(stateDirectory), new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        await using var writer = new StreamWriter(file);
        await writer.WriteLineAsync(emulator.ConnectionInfo([code]).ToJsonString());
        return emulator;
    }

    /// <summary>Where dev mode writes the emulator's URLs, secret, code and CA file (the JSON of <c>dev platform --json</c>).</summary>
    public static string InfoFile(string stateDirectory) => Path.Combine(stateDirectory, "platform-emulator", "platform.json");
}
