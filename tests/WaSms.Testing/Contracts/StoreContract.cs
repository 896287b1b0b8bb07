namespace WaSms.Testing.Contracts;

/// <summary>
/// The skeleton of a store's contract suite (dotnet/runtime's <c>ChannelTestBase</c> shape): a derived
/// class says how to make an empty store and how to dispose of it; the suite's tests run on each.
/// </summary>
/// <typeparam name="TStore">The store interface under test.</typeparam>
public abstract class StoreContract<TStore> : IAsyncLifetime
    where TStore : class
{
    private TStore? _store;

    /// <summary>The store under test, empty at the start of each test.</summary>
    protected TStore Store => _store ?? throw new InvalidOperationException("not initialised");

    /// <summary>Makes an empty store.</summary>
    protected abstract Task<TStore> CreateAsync();

    /// <summary>Releases what <see cref="CreateAsync"/> made.</summary>
    protected virtual Task DestroyAsync() => Task.CompletedTask;

    public async Task InitializeAsync() => _store = await CreateAsync();

    public Task DisposeAsync() => DestroyAsync();
}
