namespace WaSms.Gateway.Updates;

/// <summary>
/// Thrown by <see cref="BundleDownloader"/> when a download ends for good: <see cref="Refused"/> when the bundle
/// itself is wrong (too large, another sha256), otherwise the server or the network failed it (after the retries).
/// The message is one line for the customer and the log.
/// </summary>
public sealed class BundleDownloadException(string message, bool refused, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>True: the bundle was refused (CLI exit 65); false: the download failed (exit 1).</summary>
    public bool Refused { get; } = refused;
}
