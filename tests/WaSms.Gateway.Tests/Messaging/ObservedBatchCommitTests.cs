using Microsoft.Extensions.Logging.Abstractions;
using WaSms.Core.Health;
using WaSms.Gateway.Messaging;
using WaSms.Storage;
using WaSms.WhatsApp.Store;

namespace WaSms.Gateway.Tests.Messaging;

/// <summary>
/// The gateway's observed store passes a receive batch to the real store as one commit, counts what was
/// stored (not duplicates, not our own copies) and wakes the stream's readers.
/// </summary>
public sealed class ObservedBatchCommitTests
{
    [Fact]
    public async Task BatchCommit_StoredOnce_CountsOnlyNewInbound_WakesReaders()
    {
        using var dir = new TempDirectory();
        await using var store = await GatewayStore.OpenAsync(dir.Path, TimeProvider.System, NullLogger.Instance, CancellationToken.None);
        var counters = new HealthCounters();
        var messages = new ObservedMessageStore(new WhatsAppMessageStore(store), counters);
        var appended = messages.Appended;
        InboundMessage Row(string id, bool fromMe = false) =>
            new(id, "15555550100@s.whatsapp.net", "15555550100@s.whatsapp.net", null, DateTimeOffset.UnixEpoch, "text", id, fromMe, null, null, null);

        var stored = await messages.CommitInboundBatchAsync(new SignalChanges(), [Row("A"), Row("B", fromMe: true), Row("A"), Row("C")], CancellationToken.None);

        Assert.Equal([true, true, false, true], stored);
        Assert.Equal(2, counters.MessagesIn);
        Assert.True(appended.IsCompleted);
        Assert.Equal(["A", "B", "C"], (await messages.ReadEventsAsync(0, 10, CancellationToken.None)).Select(e => e.Message!.Id));
    }
}
