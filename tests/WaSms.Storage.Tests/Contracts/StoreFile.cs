using Microsoft.Extensions.Logging.Abstractions;

namespace WaSms.Storage.Tests.Contracts;

/// <summary>A real gateway database in a temporary directory, closed and removed afterwards.</summary>
internal sealed class StoreFile : IAsyncDisposable
{
    private readonly TempDirectory _dir = new();
    private GatewayStore? _store;

    public async Task<GatewayStore> OpenAsync(TimeProvider? time = null) =>
        _store = await GatewayStore.OpenAsync(_dir.Path, time ?? TimeProvider.System, NullLogger.Instance, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
        _dir.Dispose();
    }
}
