using Microsoft.Extensions.Logging.Abstractions;
using WaSms.Storage;
using WaSms.Testing;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Messaging;
using WaSms.WhatsApp.Messaging.Receive;
using WaSms.WhatsApp.Proto.E2E;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Tests.Messaging.Receive;

/// <summary>
/// A backlog handled as one batch (<see cref="MessageBatch"/>) against the real SQLite store: one
/// session's later messages decrypt after its earlier ones in the same batch, every row and ratchet
/// step is on disk before the first receipt leaves, a duplicate is stored once, a message that fails
/// to decrypt gets its retry receipt after the commit, and a reopened store decrypts what comes next.
/// </summary>
public sealed class BatchReceiveTests : IDisposable
{
    private static readonly Jid Alice = new("15555550100", JidServer.WhatsApp, 0);
    private static readonly Jid Bob = new("15555550200", JidServer.WhatsApp, 0);
    private static readonly Jid Carol = new("15555550300", JidServer.WhatsApp, 0);

    private readonly TempDirectory _dir = new();
    private readonly WaCredentials _credentials = WaCredentials.Generate() with { Jid = ReceiveSession.OwnJid, Lid = ReceiveSession.OwnLid, Account = new byte[] { 0x0a, 0x02, 0x08, 0x01 } };
    private readonly CancellationToken _token = CancellationToken.None;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task TwoSessionsInterleaved_AllStoredInOrder_ReceiptsAfterTheCommit_StateSurvivesReopen()
    {
        var alice = new RemoteDevice(Alice);
        var bob = new RemoteDevice(Bob);
        var sent = new List<(Node Node, int RowsOnDisk)>();
        await using (var store = await OpenAsync())
        {
            await alice.StartSessionAsync(new WhatsAppPreKeyStore(store), _credentials, _token);
            await bob.StartSessionAsync(new WhatsAppPreKeyStore(store), _credentials, _token);
            Node[] backlog = [Text(alice, "A1", "a one"), Text(bob, "B1", "b one"), Text(alice, "A2", "a two"), Text(bob, "B2", "b two"), Text(alice, "A3", "a three")];
            var raised = new List<WaEvent>();

            var alone = await new MessageBatch(Context(store, sent, raised)).HandleAsync(backlog, _token);

            Assert.Empty(alone);
            Assert.Equal(["a one", "b one", "a two", "b two", "a three"], raised.OfType<MessageReceived>().Select(e => e.Message.Text));
            Assert.Equal(["a one", "b one", "a two", "b two", "a three"], (await Events(store)).Select(e => e.Message!.Text));
            Assert.Equal(
                new[] { "A1", "B1", "A2", "B2", "A3" }.Select(id => ($"<receipt id=\"{id}\" to=\"{(id[0] == 'A' ? Alice : Bob)}\"/>", 5)),
                sent.Select(s => (s.Node.ToString(), s.RowsOnDisk)));
            Assert.Equal(0, await new WhatsAppPreKeyStore(store).CountUploadedAsync(_token)); // both one-time prekeys used up in the commit
        }

        // Only what the batch committed is left: the next messages of both sessions decrypt from it.
        sent.Clear();
        await using (var reopened = await OpenAsync())
        {
            var raised = new List<WaEvent>();
            Assert.Empty(await new MessageBatch(Context(reopened, sent, raised)).HandleAsync([Text(bob, "B3", "b three"), Text(alice, "A4", "a four")], _token));
            Assert.Equal(["b three", "a four"], raised.OfType<MessageReceived>().Select(e => e.Message.Text));
            Assert.Equal(7, (await Events(reopened)).Count);
        }
    }

    [Fact]
    public async Task DuplicateInOneBatch_StoredOnce_ReceiptedTwice()
    {
        await using var store = await OpenAsync();
        var alice = new RemoteDevice(Alice);
        await alice.StartSessionAsync(new WhatsAppPreKeyStore(store), _credentials, _token);
        var first = Text(alice, "A1", "once");
        var sent = new List<(Node Node, int RowsOnDisk)>();
        var raised = new List<WaEvent>();

        Assert.Empty(await new MessageBatch(Context(store, sent, raised)).HandleAsync([first, Text(alice, "A2", "twice"), first], _token));

        Assert.Equal(["once", "twice"], (await Events(store)).Select(e => e.Message!.Text));
        Assert.Equal(2, raised.OfType<MessageReceived>().Count());
        Assert.Equal(["A1", "A2", "A1"], sent.Select(s => s.Node.Attr("id")));
        Assert.All(sent, s => Assert.Equal(2, s.RowsOnDisk));
    }

    [Fact]
    public async Task TwinsInOneBatch_ByLidThenByPhoneNumberWithThePairLearntOnTheWay_AreOneMessage()
    {
        await using var store = await OpenAsync();
        var overlay = new BatchOverlay(new WhatsAppSignalStore(store), new WhatsAppMessageStore(store));
        var byLid = new InboundMessage("T1", "5114@lid", "5114@lid", null, DateTimeOffset.UnixEpoch, "text", "twin", false, null, null, null);
        Assert.True(await overlay.CommitInboundAsync(new SignalChanges(), byLid, _token));
        overlay.Raise(new MessageReceived(byLid)); // as MessageReceiver does for a new message
        overlay.Accept();

        // The next stanza names the pair (sender_lid) and carries the same message by phone number.
        var pair = new SignalChanges();
        pair.LidMappings["5114"] = "15555550100";
        Assert.False(await overlay.CommitInboundAsync(pair, byLid with { Chat = "15555550100@s.whatsapp.net", Sender = "15555550100@s.whatsapp.net" }, _token));
        Assert.True(await overlay.HasInboundAsync("15555550100@s.whatsapp.net", "15555550100@s.whatsapp.net", "T1", _token));
        Assert.False(await overlay.HasInboundAsync("15555550101@s.whatsapp.net", "15555550101@s.whatsapp.net", "T1", _token)); // someone else
        overlay.Accept();
        var raised = new List<WaEvent>();
        await overlay.CommitAsync((_, _) => ValueTask.CompletedTask, raised.Add, _token);

        Assert.Equal(["5114@lid"], raised.OfType<MessageReceived>().Select(e => e.Message.Chat));
        Assert.Equal(["5114@lid"], (await Events(store)).Select(e => e.Message!.Chat));
    }

    [Fact]
    public async Task LateResendInABatch_ReplacesThePlaceholderOnDisk_Once_ItsRedeliveryOnlyReceipted()
    {
        await using var store = await OpenAsync();
        var placeholder = new InboundMessage("A1", "15555550100@s.whatsapp.net", "15555550100@s.whatsapp.net", null, DateTimeOffset.UnixEpoch,
            InboundMessage.Undecryptable, null, false, null, null, "no resend from the sender within 10 min (msg: bad MAC)");
        Assert.True(await new WhatsAppMessageStore(store).CommitInboundAsync(new SignalChanges(), placeholder, _token)); // the sweep's
        var alice = new RemoteDevice(Alice);
        await alice.StartSessionAsync(new WhatsAppPreKeyStore(store), _credentials, _token);
        var resend = Text(alice, "A1", "late but here");
        var sent = new List<(Node Node, int RowsOnDisk)>();
        var raised = new List<WaEvent>();

        Assert.Empty(await new MessageBatch(Context(store, sent, raised)).HandleAsync([resend, resend], _token));

        Assert.Equal(["late but here"], raised.OfType<MessageReceived>().Select(e => e.Message.Text));
        var events = await Events(store);
        Assert.Equal(2, events.Count);
        Assert.Equal(("A1", "text", "late but here", null), (events[1].Message!.Id, events[1].Message!.Type, events[1].Message!.Text, events[1].Message!.Error));
        Assert.Equal([("A1", 2), ("A1", 2)], sent.Select(s => (s.Node.Attr("id"), s.RowsOnDisk)));
    }

    [Fact]
    public async Task OneFailsToDecrypt_OthersStored_RetryReceiptAndAckAfterTheCommit()
    {
        await using var store = await OpenAsync();
        var alice = new RemoteDevice(Alice);
        await alice.StartSessionAsync(new WhatsAppPreKeyStore(store), _credentials, _token);
        var garbage = ReceiveSession.Message("C1", Carol, [], ReceiveSession.Enc("msg", [0x33, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
        var sent = new List<(Node Node, int RowsOnDisk)>();

        Assert.Empty(await new MessageBatch(Context(store, sent, [])).HandleAsync([Text(alice, "A1", "before"), garbage, Text(alice, "A2", "after")], _token));

        Assert.Equal(["before", "after"], (await Events(store)).Select(e => e.Message!.Text));
        var nodes = sent.Select(s => s.Node).ToList();
        Assert.Equal([("receipt", "A1", null), ("receipt", "C1", "retry"), ("ack", "C1", null), ("receipt", "A2", null)],
            nodes.Select(n => (n.Tag, n.Attr("id"), n.Tag == "receipt" ? n.Attr("type") : null)));
        Assert.All(sent, s => Assert.Equal(2, s.RowsOnDisk));
        Assert.Equal(2, await store.CountDecryptFailureAsync(Carol.ToString(), "C1", _token)); // the batch counted the first
    }

    [Fact]
    public async Task CommitFails_NothingSavedOrSent_AllHandedBackForTheSinglePath()
    {
        var preKeys = new InMemoryPreKeyStore();
        var signal = new InMemorySignalStore(preKeys);
        var messages = new FaultyMessageStore(new InMemoryMessageStore(signal, TimeProvider.System)) { FailNextCommits = 1 };
        var alice = new RemoteDevice(Alice);
        await alice.StartSessionAsync(preKeys, _credentials, _token);
        Node[] backlog = [Text(alice, "A1", "one"), Text(alice, "A2", "two")];
        var sent = new List<Node>();
        var context = new ReceiveContext(signal, messages, preKeys, () => _credentials, (n, _) => { sent.Add(n); return ValueTask.CompletedTask; }, _ => { }, TimeProvider.System, NullLogger.Instance);

        Assert.Equal(backlog, await new MessageBatch(context).HandleAsync(backlog, _token));
        Assert.Empty(sent);
        Assert.Empty(await messages.ReadEventsAsync(0, 10, _token));

        // The stored state is as before the batch: handled again, both decrypt.
        foreach (var node in backlog)
        {
            await new MessageReceiver(context).HandleAsync(node, _token);
        }

        Assert.Equal(["one", "two"], (await messages.ReadEventsAsync(0, 10, _token)).Select(e => e.Message!.Text));
    }

    [Fact]
    public async Task StoreOrDiskFailures_NeverCountAsPoison_TheMessageStaysUnanswered()
    {
        // A busy or full store says nothing about the message: it must come again, not end "undecryptable".
        var message = ReceiveSession.Message("P2", Alice, [("notify", "Alice")], ReceiveSession.Enc("msg", [0x33, 1, 2, 3]));
        Exception[] errors = [new IOException("disk full"), new InvalidOperationException("wrapped", new IOException("disk full")), new TimeoutException()];
        await using var store = await OpenAsync();
        for (var attempt = 0; attempt < 2 * PoisonMessages.MaxHandlerFailures; attempt++)
        {
            var sent = new List<(Node Node, int RowsOnDisk)>();
            Assert.False(await new PoisonMessages(Context(store, sent, [])).HandleFailureAsync(message, errors[attempt % errors.Length], _token));
            Assert.Empty(sent);
        }

        Assert.Empty(await Events(store));
    }

    [Fact]
    public async Task HandlerFailure_CountedAcrossRestarts_ThirdStoresUndecryptable_AndReceipts()
    {
        var poison = ReceiveSession.Message("P1", Alice, [("notify", "Alice")], ReceiveSession.Enc("msg", [0x33, 1, 2, 3]));
        var error = new InvalidOperationException("a bug with secret 0123456789abcdef");
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            await using var store = await OpenAsync();
            var sent = new List<(Node Node, int RowsOnDisk)>();
            Assert.False(await new PoisonMessages(Context(store, sent, [])).HandleFailureAsync(poison, error, _token));
            Assert.Empty(sent);
        }

        await using (var store = await OpenAsync())
        {
            var sent = new List<(Node Node, int RowsOnDisk)>();
            var raised = new List<WaEvent>();
            Assert.True(await new PoisonMessages(Context(store, sent, raised)).HandleFailureAsync(poison, error, _token));

            var row = Assert.Single(await Events(store)).Message!;
            Assert.Equal(("P1", "undecryptable", "handler error: InvalidOperationException", "15555550100@s.whatsapp.net", "Alice"), (row.Id, row.Type, row.Error, row.Chat, row.PushName));
            Assert.Equal(row, Assert.IsType<MessageReceived>(Assert.Single(raised)).Message);
            Assert.Equal([("<receipt id=\"P1\" to=\"15555550100:0@s.whatsapp.net\"/>", 1)], sent.Select(s => (s.Node.ToString(), s.RowsOnDisk)));
        }
    }

    [Fact]
    public async Task PoisonMessage_ThroughTheClient_LeftUnanswered_ThenStoredAndReceiptedOnTheThirdDelivery()
    {
        await using var session = await ReceiveSession.StartAsync();
        session.Messages.PoisonId = "P1";
        var alice = new RemoteDevice(Alice);
        await alice.StartSessionAsync(session);
        var poison = ReceiveSession.Message("P1", Alice, [], alice.Encrypt(new Message { Conversation = "poison" }));
        for (var delivery = 1; delivery <= 2; delivery++)
        {
            await session.SendAsync(poison);
            var text = ReceiveSession.Message($"OK{delivery}", Alice, [], alice.Encrypt(new Message { Conversation = "fine" }));
            await session.SendAsync(text);
            await session.ExpectExactlyAsync($"<receipt id=\"OK{delivery}\" to=\"15555550100:0@s.whatsapp.net\"/>"); // nothing for P1 before it
        }

        await session.SendAsync(poison);
        await session.ExpectExactlyAsync("<receipt id=\"P1\" to=\"15555550100:0@s.whatsapp.net\"/>");
        var stored = (await session.Store.ReadEventsAsync(0, 10, session.Token)).Select(e => e.Message!).Single(m => m.Id == "P1");
        Assert.Equal(("undecryptable", "handler error: InvalidOperationException"), (stored.Type, stored.Error));
    }

    private static Node Text(RemoteDevice from, string id, string text) =>
        ReceiveSession.Message(id, from.Jid, [], from.Encrypt(new Message { Conversation = text }));

    private Task<GatewayStore> OpenAsync() => GatewayStore.OpenAsync(_dir.Path, TimeProvider.System, NullLogger.Instance, _token);

    private async Task<IReadOnlyList<MessageEvent>> Events(GatewayStore store) => await new WhatsAppMessageStore(store).ReadEventsAsync(0, 100, _token);

    /// <summary>The receive context over <paramref name="store"/>; each node sent is recorded with the number of messages on disk at that moment.</summary>
    private ReceiveContext Context(GatewayStore store, List<(Node Node, int RowsOnDisk)> sent, List<WaEvent> raised)
    {
        var messages = new WhatsAppMessageStore(store);
        return new ReceiveContext(new WhatsAppSignalStore(store), messages, new WhatsAppPreKeyStore(store), () => _credentials,
            async (node, ct) => sent.Add((node, (await messages.ReadEventsAsync(0, 100, ct)).Count)), raised.Add, TimeProvider.System, NullLogger.Instance);
    }
}
