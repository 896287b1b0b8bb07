using System.Security.Cryptography;

namespace WaSms.Health.Mqtt;

/// <summary>
/// The gateway's stable id for MQTT topics and Home Assistant (<c>wasms-&lt;8 hex&gt;</c>): from the
/// board serial (<c>/proc/device-tree/serial-number</c>, else <c>/sys/firmware/devicetree/base/serial-number</c>,
/// the last 8 hex digits), else a random id generated once and kept in <c>&lt;state-dir&gt;/gateway-id</c>
/// (mode 0600), outside the store, so it survives restarts, updates and factory resets (docs/mqtt.md "Gateway id").
/// </summary>
/// <param name="stateDirectory">Where the generated id is kept.</param>
/// <param name="root">File-system root for /proc and /sys ("/" in production, a fake tree in tests).</param>
public sealed class GatewayIdentity(string stateDirectory, string root = "/")
{
    private const string Prefix = "wasms-";
    private static readonly string[] SerialFiles = ["proc/device-tree/serial-number", "sys/firmware/devicetree/base/serial-number"];
    private readonly Lock _gate = new();
    private Task<string>? _id;

    public string FilePath => Path.Combine(stateDirectory, "gateway-id");

    /// <summary>The id; resolved once (a failed resolution is retried on the next call).</summary>
    public Task<string> GetAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_id is null || _id.IsFaulted || _id.IsCanceled)
            {
                _id = ResolveAsync(CancellationToken.None);
            }
            return _id.WaitAsync(cancellationToken);
        }
    }

    private async Task<string> ResolveAsync(CancellationToken cancellationToken)
    {
        foreach (var relative in SerialFiles)
        {
            var path = Path.Combine(root, relative);
            if (!File.Exists(path))
            {
                continue;
            }
            var serial = new string((await File.ReadAllTextAsync(path, cancellationToken))
                .Where(char.IsAsciiHexDigit).Select(char.ToLowerInvariant).ToArray());
            if (serial.Length >= 8 && serial.Any(c => c != '0'))
            {
                return Prefix + serial[^8..];
            }
        }

        if (File.Exists(FilePath))
        {
            var kept = (await File.ReadAllTextAsync(FilePath, cancellationToken)).Trim();
            if (IsValid(kept))
            {
                return kept;
            }
        }
        var id = Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        Directory.CreateDirectory(stateDirectory);
        var temporary = FilePath + ".tmp";
        await using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(id + "\n"), cancellationToken);
            await stream.FlushAsync(cancellationToken);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, FilePath, overwrite: true);
        return id;
    }

    /// <summary>Letters, digits, '-' and '_' only: safe in MQTT topics and Home Assistant object ids.</summary>
    internal static bool IsValid(string id) =>
        id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
