using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace WaSms.Storage.Tests;

/// <summary>Failed-decrypt counts bound the retry receipts for one message and do not pile up for years.</summary>
public sealed class DecryptFailureTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task OldCounts_AreForgotten_RecentOnesKept()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
        await using var store = await GatewayStore.OpenAsync(_dir.Path, time, NullLogger.Instance, CancellationToken.None);
        await store.CountDecryptFailureAsync("15555550100:1@s.whatsapp.net", "OLD", CancellationToken.None);
        await store.CountDecryptFailureAsync("15555550100:1@s.whatsapp.net", "OLD", CancellationToken.None);

        time.Advance(GatewayStore.DecryptFailureMemory - TimeSpan.FromMinutes(1));
        await store.CountDecryptFailureAsync("15555550100:1@s.whatsapp.net", "NEW", CancellationToken.None);
        Assert.Equal(3, await store.CountDecryptFailureAsync("15555550100:1@s.whatsapp.net", "OLD", CancellationToken.None));

        time.Advance(GatewayStore.DecryptFailureMemory + TimeSpan.FromMinutes(1));
        Assert.Equal(1, await store.CountDecryptFailureAsync("15555550100:1@s.whatsapp.net", "OLD", CancellationToken.None));
    }
}
