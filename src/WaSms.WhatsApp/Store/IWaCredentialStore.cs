namespace WaSms.WhatsApp.Store;

/// <summary>
/// Where the client keeps its <see cref="WaCredentials"/>: the whole set is read and
/// written at once, so a save leaves either the old or the new set, never a mix.
/// </summary>
public interface IWaCredentialStore
{
    /// <summary>The saved credentials, or null when none are saved.</summary>
    Task<WaCredentials?> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Replaces the saved credentials with <paramref name="credentials"/>.</summary>
    Task SaveAsync(WaCredentials credentials, CancellationToken cancellationToken);
}
