using System.Buffers.Binary;
using Google.Protobuf;
using WaSms.Emulators.WhatsApp.Scripting;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Messaging;
using WaSms.WhatsApp.Messaging.Send;
using WaSms.WhatsApp.Proto.E2E;
using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;
using WaSms.WhatsApp.Tests.Client;
using WaSms.WhatsApp.Tests.Signal;
using WaSms.WhatsApp.Tests.Support;

namespace WaSms.WhatsApp.Tests.Messaging.Send;

/// <summary>
/// A paired client on a <see cref="ScriptedWaServer"/> with an in-memory store, logged in node by node
/// (prekey count, active, the offline marker), and the peer devices a test plays with r1's Signal code.
/// </summary>
internal sealed class SendHarness : IAsyncDisposable
{
    public static readonly Jid OwnPn = new("15550001111", JidServer.WhatsApp, 2);
    public static readonly Jid OwnLid = new("99887766", JidServer.Lid, 2);
    public static readonly byte[] DeviceIdentity = [0x0a, 0x03, 0x01, 0x02, 0x03];

    private readonly CancellationTokenSource _cts = new(EmulatorHarness.DefaultTimeout);

    private SendHarness(ScriptedWaServer server, SendOptions options, ISendGate? gate = null, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        Server = server;
        var credentials = WaCredentials.Generate() with { Jid = OwnPn, Lid = OwnLid, Account = DeviceIdentity };
        Signal = new InMemorySignalStore(new InMemoryPreKeyStore());
        Store = new InMemoryMessageStore(Signal, time);
        Client = new WaClient(
            new WaClientOptions { ServerUri = server.Uri, Trust = server.Trust, SignalStore = Signal, MessageStore = Store, Send = options, SendGate = gate ?? new AlwaysSend(), Time = time },
            new InMemoryCredentialStore(credentials));
        Events = new EventCollector(Client);
    }

    public ScriptedWaServer Server { get; }

    public WaClient Client { get; }

    public InMemorySignalStore Signal { get; }

    public InMemoryMessageStore Store { get; }

    public EventCollector Events { get; }

    public ScriptedConnection Connection { get; private set; } = null!;

    public Task<ConnectionOutcome> Run { get; private set; } = Task.FromResult(ConnectionOutcome.None);

    public CancellationToken Token => _cts.Token;

    /// <summary>Starts a server and a client (on <paramref name="time"/>, the system clock by default); nothing is connected yet.</summary>
    public static SendHarness Create(SendOptions? options = null, TimeProvider? time = null) =>
        new(ScriptedWaServer.Start(), options ?? new SendOptions(), null, time ?? TimeProvider.System);

    /// <summary>As <see cref="Create"/>, with a send gate and the client's clock (a fake one lets a test move a gate's wait).</summary>
    public static SendHarness Create(ISendGate gate, TimeProvider time) => new(ScriptedWaServer.Start(), new SendOptions(), gate, time);

    /// <summary>Runs the client and walks it through login up to the offline marker; the outbox starts after that.</summary>
    public async Task ConnectAsync()
    {
        Run = Client.RunAsync(Token);
        Connection = await Server.AcceptAsync(Token);
        await Connection.SendAsync(NodeHelpers.Make("success", ("t", "1764633600"), ("props", "1"), ("abprops", "1"), ("location", "script"), ("lid", OwnLid)), Token);
        var count = await ExpectIqAsync("encrypt", "get");
        await Connection.ReplyAsync(count, Token, NodeHelpers.Make("count", ("value", "50")));
        var active = await ExpectIqAsync("passive", "set");
        await Connection.ReplyAsync(active, Token);
        await Connection.SendAsync(NodeHelpers.Make("ib", [], NodeHelpers.Make("offline", ("count", "0"))), Token);
    }

    public Task<Node> ExpectIqAsync(string xmlns, string type) =>
        Connection.ExpectAsync(n => n.Tag == "iq" && n.Attr("xmlns") == xmlns && n.Attr("type") == type, Token);

    public Task<Node> ExpectMessageAsync() => Connection.ExpectAsync(n => n.Tag == "message", Token);

    /// <summary>The server's ack of a message we sent (<paramref name="error"/> for a refusal).</summary>
    public ValueTask AckAsync(Node message, string? error = null, string t = "1764633700")
    {
        (string, AttrValue)[] attributes = error is null
            ? [("class", "message"), ("id", message.Attr("id")!), ("t", t)]
            : [("class", "message"), ("id", message.Attr("id")!), ("t", t), ("error", error)];
        return Connection.SendAsync(NodeHelpers.Make("ack", attributes), Token);
    }

    /// <summary>The users a usync query named.</summary>
    public static string[] UsyncUsers(Node iq) =>
        [.. iq.Children[0].Children.Single(c => c.Tag == "list").Children.Select(u => u.Attr("jid")!)];

    /// <summary>The device JIDs a prekey query named, and whether with <c>reason="identity"</c>.</summary>
    public static string[] KeyUsers(Node iq) =>
        [.. iq.Children[0].Children.Select(u => u.Attr("jid") + (u.Attr("reason") is { } r ? " " + r : string.Empty))];

    /// <summary>A bundle answer node for each (device JID, party).</summary>
    public static Node BundleList(params (Jid Device, SignalParty Party)[] devices) =>
        NodeHelpers.Make("list", [], [.. devices.Select(d => BundleUser(d.Device, d.Party.Bundle()))]);

    public static Node BundleUser(Jid device, PreKeyBundle bundle, string tag = "user")
    {
        var registration = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(registration, bundle.RegistrationId);
        return NodeHelpers.Make(tag, [("jid", device)], [.. BundleChildren(bundle, registration)]);
    }

    public static List<Node> BundleChildren(PreKeyBundle bundle, byte[]? registration)
    {
        var children = new List<Node>();
        if (registration is not null)
        {
            children.Add(NodeHelpers.MakeBytes("registration", [], registration));
        }

        children.Add(NodeHelpers.MakeBytes("type", [], [5]));
        children.Add(NodeHelpers.MakeBytes("identity", [], bundle.IdentityKey.Span));
        children.Add(PreKeyNodes.KeyNode("skey", bundle.SignedPreKeyId, bundle.SignedPreKey.Span, bundle.SignedPreKeySignature.Span));
        if (bundle.PreKeyId is { } id)
        {
            children.Add(PreKeyNodes.KeyNode("key", id, bundle.PreKey.Span));
        }

        return children;
    }

    /// <summary>The <c>&lt;enc&gt;</c> addressed to <paramref name="device"/> inside <c>&lt;participants&gt;</c>.</summary>
    public static Node EncFor(Node message, Jid device) =>
        message.Children.Single(c => c.Tag == "participants").Children.Single(t => t.Attr("jid") == device.ToString()).Children.Single();

    /// <summary>What <paramref name="party"/> reads from <paramref name="enc"/>: decrypt as that device, unpad, parse.</summary>
    public static Message Decrypt(SignalParty party, Node enc)
    {
        Assert.Equal("2", enc.Attr("v"));
        var result = SessionCipher.Decrypt(party.Record, party.Identity, party, enc.Attr("type")!, enc.Content.Bytes.Span);
        if (result.UsedPreKeyId is { } used)
        {
            party.RemovePreKey(used);
        }

        return Message.Parser.ParseFrom(MessagePadding.Unpad(result.Plaintext));
    }

    /// <summary>The text of a usync answer: one user with devices (companions get key-index) and an optional LID.</summary>
    public static Node UsyncUser(Jid user, int[] devices, Jid? lid = null) =>
        UsyncDeviceQueryTests.User(user, [.. devices.Select(d => UsyncDeviceQueryTests.Device(d, d == 0 ? null : "1"))], lid);

    public static Node UsyncAnswer(params Node[] users) => NodeHelpers.Make("usync", [], NodeHelpers.Make("list", [], users));

    public static ByteString Bytes(byte[] bytes) => ByteString.CopyFrom(bytes);

    public async Task<MessageStatusChanged> StatusAsync(string messageId, MessageStatus status)
    {
        while (true)
        {
            var change = await Events.WaitForAsync<MessageStatusChanged>();
            if (change.Change.MessageId == messageId && change.Change.Status == status)
            {
                return change;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        try
        {
            await Run;
        }
        catch (OperationCanceledException)
        {
        }

        await Server.DisposeAsync();
        _cts.Dispose();
    }
}
