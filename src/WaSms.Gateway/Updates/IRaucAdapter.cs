namespace WaSms.Gateway.Updates;

/// <summary>
/// The update engine as the gateway uses it: RAUC and our bundle check (docs/updates.md, "Installing").
/// An interface so that tests drive <see cref="UpdateCoordinator"/> without installing anything.
/// </summary>
public interface IRaucAdapter
{
    /// <summary>Checks signature, format, compatibility and every payload block of <paramref name="bundlePath"/>; writes nothing.</summary>
    Task<BundleCheck> CheckAsync(string bundlePath, CancellationToken cancellationToken);

    /// <summary>Installs a checked bundle into the inactive slot and makes it primary for the next boot.</summary>
    /// <exception cref="UpdateFailedException">RAUC refused or failed; the message says why.</exception>
    Task InstallAsync(string bundlePath, IProgress<InstallProgress> progress, CancellationToken cancellationToken);
}

/// <summary>The outcome of <see cref="IRaucAdapter.CheckAsync"/>: the bundle's version, or why it is refused.</summary>
public sealed record BundleCheck(bool Ok, string? Version, string? Reason)
{
    public static BundleCheck Valid(string version) => new(true, version, null);
    public static BundleCheck Refused(string reason) => new(false, null, reason);
}

/// <summary>How far <c>rauc install</c> is: percent done and the step it is in.</summary>
public sealed record InstallProgress(int Percent, string Step);

/// <summary>An installation failed; <see cref="Exception.Message"/> is the reason for the customer and the log.</summary>
public sealed class UpdateFailedException(string message, Exception? inner = null) : Exception(message, inner);
