namespace WaSms.WhatsApp.Store;

/// <summary>An <see cref="IWaCredentialStore"/> in memory, for tests and the emulator's dev flows.</summary>
public sealed class InMemoryCredentialStore : IWaCredentialStore
{
    private volatile WaCredentials? _credentials;

    /// <summary>Starts empty, or with <paramref name="credentials"/>.</summary>
    public InMemoryCredentialStore(WaCredentials? credentials = null) => _credentials = credentials;

    /// <summary>How many times <see cref="SaveAsync"/> ran.</summary>
    public int SaveCount { get; private set; }

    /// <summary>The current credentials.</summary>
    public WaCredentials? Current => _credentials;

    /// <inheritdoc />
    public Task<WaCredentials?> LoadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_credentials);
    }

    /// <inheritdoc />
    public Task SaveAsync(WaCredentials credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        cancellationToken.ThrowIfCancellationRequested();
        _credentials = credentials;
        SaveCount++;
        return Task.CompletedTask;
    }
}
