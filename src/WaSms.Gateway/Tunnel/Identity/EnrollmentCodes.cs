using WaSms.Gateway.Configuration;
using WaSms.Storage;

namespace WaSms.Gateway.Tunnel.Identity;

/// <summary>
/// Where an enrollment code comes from (docs/tunnel.md §3): the state directory's <c>enrollment-code</c>
/// (written by provisioning and by <c>wasms-gateway enroll</c>) first, then <c>Tunnel:EnrollmentCode</c>.
/// A code the platform refused is not tried again; a new one wakes the tunnel (<see cref="Changed"/>).
/// </summary>
public sealed class EnrollmentCodes(TunnelOptions options, GatewayOptions gateway)
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _rejected;
    private string? _spentDigest;

    private string FilePath => Path.Combine(gateway.StateDirectory, GatewayStore.EnrollmentCodeFileName);

    /// <summary>Completes when a new code arrives after it was read.</summary>
    public Task Changed
    {
        get
        {
            lock (_lock)
            {
                return _changed.Task;
            }
        }
    }

    /// <summary>The code to enroll with, or null when there is none (or only the one refused, or the one already exchanged).</summary>
    public string? Current()
    {
        var code = ReadFile() ?? (options.EnrollmentCode.Length > 0 ? options.EnrollmentCode : null);
        lock (_lock)
        {
            return code is null || Same(code, _rejected) || Digest(code) == _spentDigest ? null : code;
        }
    }

    /// <summary>
    /// The code with this digest (<see cref="Digest"/>) was exchanged for an enrollment: a code is good once, so it is
    /// never sent again (the digest is kept in the store, <see cref="DeviceIdentity.SpentCodeSecret"/>).
    /// </summary>
    public void MarkSpent(string? digest)
    {
        lock (_lock)
        {
            _spentDigest = digest;
        }
    }

    /// <summary>A code's SHA-256 (hex) in the platform's comparison form (§3): what the store keeps of a spent code.</summary>
    public static string Digest(string code) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Normal(code).ToUpperInvariant())));

    /// <summary>The platform refused <paramref name="code"/>: not tried again until another arrives.</summary>
    public void Reject(string code)
    {
        lock (_lock)
        {
            _rejected = code;
        }
    }

    /// <summary>Stores a code given with <c>wasms-gateway enroll</c> (owner-only, as provisioning does) and wakes the tunnel.</summary>
    /// <exception cref="ArgumentException">Not a code's format.</exception>
    public void Set(string code)
    {
        if (!TunnelOptions.IsEnrollmentCode(code))
        {
            throw new ArgumentException("the enrollment code must be 4-64 letters, digits or dashes, as shown by the platform", nameof(code));
        }
        var temporary = FilePath + ".new";
        // Created owner-only (never readable by others, not even for a moment), then moved into place.
        using (var file = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            file.Write(System.Text.Encoding.UTF8.GetBytes(code + "\n"));
            file.Flush(flushToDisk: true);
        }
        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite); // an older file of that name kept its mode
        File.Move(temporary, FilePath, overwrite: true);
        TaskCompletionSource changed;
        lock (_lock)
        {
            _rejected = null;
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }

    /// <summary>The platform compares codes case-insensitively, ignoring dashes and spaces (§3); so does this.</summary>
    private static bool Same(string a, string? b) =>
        b is not null && string.Equals(Normal(a), Normal(b), StringComparison.OrdinalIgnoreCase);

    private static string Normal(string code) => code.Replace("-", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);

    private string? ReadFile()
    {
        try
        {
            var code = File.ReadAllText(FilePath).Trim();
            return code.Length > 0 ? code : null;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }
}
