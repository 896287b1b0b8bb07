using System.Globalization;
using WaSms.Emulators.WhatsApp.Scripting;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Messaging;
using WaSms.WhatsApp.Store;
using WaSms.WhatsApp.Tests.Client;
using WaSms.WhatsApp.Tests.Support;

namespace WaSms.WhatsApp.Tests.Messaging.Receive;

/// <summary>
/// A paired client logged in to a <see cref="ScriptedWaServer"/> (login script: count, active, presence),
/// with in-memory stores the test can read, so a test writes the stanzas the server delivers and
/// asserts the exact nodes the client answers with.
/// </summary>
internal sealed class ReceiveSession : IAsyncDisposable
{
    public static readonly Jid OwnJid = new("15550001111", JidServer.WhatsApp, 2);
    public static readonly Jid OwnLid = new("99887766", JidServer.Lid, 2);

    private readonly CancellationTokenSource _cts = new(EmulatorHarness.DefaultTimeout);

    private ReceiveSession(ScriptedWaServer server)
    {
        Server = server;
        PreKeys = new InMemoryPreKeyStore();
        Store = new VolatileMessagingStore(PreKeys, TimeProvider.System);
        Messages = new FaultyMessageStore(Store);
        Credentials = WaCredentials.Generate() with { Jid = OwnJid, Lid = OwnLid, Account = new byte[] { 0x0a, 0x02, 0x08, 0x01 } };
        var options = new WaClientOptions { ServerUri = server.Uri, Trust = server.Trust, PushName = "Gateway", SignalStore = Store, MessageStore = Messages };
        Client = new WaClient(options, new InMemoryCredentialStore(Credentials), PreKeys);
        Events = new EventCollector(Client);
    }

    public ScriptedWaServer Server { get; }

    public ScriptedConnection Connection { get; private set; } = null!;

    public WaClient Client { get; }

    public EventCollector Events { get; }

    /// <summary>The Signal and message state (read it here).</summary>
    public VolatileMessagingStore Store { get; }

    /// <summary>The message store the client writes through, which can be told to fail.</summary>
    public FaultyMessageStore Messages { get; }

    public InMemoryPreKeyStore PreKeys { get; }

    public WaCredentials Credentials { get; }

    public CancellationToken Token => _cts.Token;

    private Task Run { get; set; } = Task.CompletedTask;

    /// <summary>Starts a server and a client, and plays the login until the client's presence.</summary>
    public static async Task<ReceiveSession> StartAsync()
    {
        var session = new ReceiveSession(ScriptedWaServer.Start());
        session.Run = session.Client.RunAsync(session.Token);
        session.Connection = await session.Server.AcceptAsync(session.Token);
        await session.SendAsync(NodeHelpers.Make("success", ("t", "1764633600"), ("props", "1"), ("abprops", "1"), ("location", "script"), ("creation", "1764633600"), ("lid", OwnLid)));
        var count = await session.ExpectAsync(n => n.Tag == "iq" && n.Attr("xmlns") == "encrypt" && n.TryGetChild("count", out _));
        await session.Connection.ReplyAsync(count, session.Token, NodeHelpers.Make("count", ("value", "50")));
        var active = await session.ExpectAsync(n => n.Tag == "iq" && n.Attr("xmlns") == "passive" && n.TryGetChild("active", out _));
        await session.Connection.ReplyAsync(active, session.Token);
        await session.ExpectAsync(n => n.ToString() == "<presence name=\"Gateway\" type=\"available\"/>");
        return session;
    }

    public ValueTask SendAsync(Node node) => Connection.SendAsync(node, Token);

    public Task<Node> ExpectAsync(Func<Node, bool> match) => Connection.ExpectAsync(match, Token);

    /// <summary>The next node the client writes must be exactly <paramref name="xml"/> (NodeXml form).</summary>
    public async Task<Node> ExpectExactlyAsync(string xml)
    {
        var node = await Connection.ExpectAsync(_ => true, Token);
        Assert.Equal(xml, node.ToString());
        return node;
    }

    /// <summary>A <c>&lt;message&gt;</c> as the server delivers it.</summary>
    public static Node Message(string id, Jid from, (string Key, AttrValue Value)[] extra, params Node[] children)
    {
        (string, AttrValue)[] attributes = [("from", from), ("id", id), ("t", "1764633700"), ("type", "text"), .. extra];
        return children.Length == 0 ? NodeHelpers.Make("message", attributes) : NodeHelpers.Make("message", attributes, children);
    }

    /// <summary>An <c>&lt;enc v="2"&gt;</c> part.</summary>
    public static Node Enc(string type, byte[] ciphertext, int? count = null) =>
        NodeHelpers.MakeBytes("enc", count is { } c ? [("v", "2"), ("type", type), ("count", c.ToString(CultureInfo.InvariantCulture))] : [("v", "2"), ("type", type)], ciphertext);

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        await Run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await Server.DisposeAsync();
        _cts.Dispose();
    }
}
