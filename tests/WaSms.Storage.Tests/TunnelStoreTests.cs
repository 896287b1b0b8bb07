using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaSms.Core.Reset;
using WaSms.WhatsApp.Store;

namespace WaSms.Storage.Tests;

/// <summary>The tunnel's rows in a real SQLite file: job priority and expiry (migration 0010), and a platform reset recorded with its answer.</summary>
public sealed class TunnelStoreTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task PendingJobsComeChatsWithAPriorityJobFirst_InTheirOwnOrder()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var store = await GatewayStore.OpenAsync(_dir.Path, time, NullLogger.Instance, None);
        var later = time.GetUtcNow().AddDays(1);
        (string Chat, string Text, int Priority)[] jobs =
        [
            ("a@s.whatsapp.net", "A1", 2), ("b@s.whatsapp.net", "B1", 2), ("a@s.whatsapp.net", "A2", 2),
            ("c@s.whatsapp.net", "C1", 1), ("b@s.whatsapp.net", "B2", 1), ("b@s.whatsapp.net", "B3", 2), ("a@s.whatsapp.net", "A3", 1),
        ];
        var seq = 0;
        foreach (var (chat, text, priority) in jobs)
        {
            seq++;
            await store.CommitPlatformJobAsync(seq, "platform:gw:" + text, chat, text, null, priority, later, None);
        }
        await store.EnqueueOutboundAsync("local", "d@s.whatsapp.net", "D1", None); // a local send: normal, no expiry

        // Chat a's A3 and chat b's B2 are urgent, so each chat's earlier jobs go with them; B3 (after B2) is normal again.
        Assert.Equal(["A1", "B1", "A2", "C1", "B2", "A3", "B3", "D1"], (await store.GetPendingOutboundAsync(20, None)).Select(j => j.Text));
        var d1 = await store.GetOutboundByCallerIdAsync("local", None);
        Assert.Equal((OutboundMessage.NormalPriority, (DateTimeOffset?)null), (d1!.Priority, d1.ExpiresAt));
    }

    [Fact]
    public async Task JobsPastTheirExpiryFailExpired_WithTheirStreamEvents()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var store = await GatewayStore.OpenAsync(_dir.Path, time, NullLogger.Instance, None);
        var start = time.GetUtcNow();
        await store.CommitPlatformJobAsync(1, "platform:gw:1", "a@s.whatsapp.net", "soon", null, 2, start.AddMinutes(10), None);
        await store.CommitPlatformJobAsync(2, "platform:gw:2", "a@s.whatsapp.net", "later", null, 2, start.AddMinutes(30), None);
        await store.EnqueueOutboundAsync("local", "a@s.whatsapp.net", "never expires", None);

        Assert.Equal((0, (DateTimeOffset?)start.AddMinutes(10).TruncateToMillis()), await store.ExpirePendingSendsAsync(start, None));
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal((1, (DateTimeOffset?)start.AddMinutes(30).TruncateToMillis()), await store.ExpirePendingSendsAsync(time.GetUtcNow(), None));
        var expired = await store.GetOutboundByCallerIdAsync("platform:gw:1", None);
        Assert.Equal((MessageStatus.Failed, "expired"), (expired!.Status, expired.FailureReason));
        var events = await new WhatsAppMessageStore(store).ReadEventsAsync(0, 100, None);
        Assert.Contains(events, e => e.Status is { Status: MessageStatus.Failed, Reason: "expired" } s && s.CallerId == "platform:gw:1");

        time.Advance(TimeSpan.FromDays(30));
        Assert.Equal((1, (DateTimeOffset?)null), await store.ExpirePendingSendsAsync(time.GetUtcNow(), None));
        Assert.Equal(["never expires"], (await store.GetPendingOutboundAsync(10, None)).Select(j => j.Text));
    }

    [Fact]
    public async Task KillDuringPlatformResetCommands_TheAnswerNeverSurvivesWithoutItsRecordedReset()
    {
        var writer = CrashSafetyTests.WriterPath();
        var random = new Random(12);
        var printed = 0;
        for (var round = 0; round < 5; round++)
        {
            printed = await CrashSafetyTests.RunAndKillAsync([writer, "platform-reset", _dir.Path], printed + random.Next(3, 40));
            await using var store = await GatewayStore.OpenAsync(_dir.Path, TimeProvider.System, NullLogger.Instance, None);
            var seq = await store.GetPlatformSeqAsync(None);
            Assert.True(seq >= printed, $"round {round}: command {printed} was reported committed, but the seq is {seq}");
            var id = "c_" + seq.ToString(CultureInfo.InvariantCulture);
            Assert.NotNull(await store.GetPlatformCommandResultAsync(seq, id, None));
            // The answer of the last command is stored, so its reset must be recorded too: the next start finishes it.
            var pending = await store.GetPendingResetAsync(None);
            Assert.True(pending is not null, $"round {round}: command {id} is answered but its reset is not recorded");
            Assert.Equal((id, ResetKind.Relink, true), (pending.Origin, pending.Kind, pending.DiscardConfirmed));
            printed = (int)seq;
        }
    }
}

internal static class MillisExtensions
{
    public static DateTimeOffset TruncateToMillis(this DateTimeOffset at) => DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());
}
