using Microsoft.Extensions.Logging.Abstractions;
using WaSms.WhatsApp.Store;

namespace WaSms.Storage.Tests;

/// <summary>After a burst the store hands its page cache back (PRAGMA shrink_memory) and keeps working.</summary>
public sealed class ShrinkMemoryTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AfterABurst_ShrinkFreesTheCache_RowsStillRead()
    {
        await using var store = await GatewayStore.OpenAsync(_dir.Path, TimeProvider.System, NullLogger.Instance, CancellationToken.None);
        // A backlog: 2,000 texts of ~300 bytes in 16 batches fill hundreds of pages.
        for (var batch = 0; batch < 16; batch++)
        {
            var rows = Enumerable.Range(batch * 125, 125)
                .Select(i => new InboundMessage($"M{i:D5}", "15555550100@s.whatsapp.net", "15555550100@s.whatsapp.net", null,
                    DateTimeOffset.UnixEpoch, "text", new string('x', 300), false, null, null, null))
                .ToList();
            await store.CommitInboundBatchAsync(SecretScopes.WhatsApp, new SignalChanges(), rows, null, CancellationToken.None);
        }

        var full = await store.CacheUsedBytesAsync(CancellationToken.None);
        var before = await store.ShrinkMemoryAsync(CancellationToken.None);
        var after = await store.CacheUsedBytesAsync(CancellationToken.None);

        Assert.True(full > 256 * 1024, $"the burst should have filled the cache; it holds {full} bytes");
        Assert.Equal(full, before);
        Assert.True(after < full / 4, $"shrink_memory left {after} of {full} bytes in the cache");
        Assert.True(await store.HasInboundAsync("15555550100@s.whatsapp.net", "15555550100@s.whatsapp.net", "M01999", CancellationToken.None));
    }
}
