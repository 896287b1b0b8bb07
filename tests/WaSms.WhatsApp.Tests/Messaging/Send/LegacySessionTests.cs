using Microsoft.Extensions.Logging.Abstractions;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Messaging;
using WaSms.WhatsApp.Messaging.Send;
using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;
using WaSms.WhatsApp.Tests.Signal;

namespace WaSms.WhatsApp.Tests.Messaging.Send;

/// <summary>
/// A session kept under a contact's phone number before its LID was known is reused — and moved to the
/// LID — when we send after learning the LID (whatsmeow migrates it the same way), instead of a new
/// session from a fetched bundle that would cost a pkmsg.
/// </summary>
public sealed class LegacySessionTests
{
    private static readonly Jid AlicePhoneByPn = new("15550002222", JidServer.WhatsApp, 0);

    [Theory]
    [InlineData("15550002222@s.whatsapp.net")]
    [InlineData("777001@lid")]
    public async Task APhoneNumberSession_IsReusedAndMovedToTheLid_WithoutABundleQuery(string listed)
    {
        var us = new SignalParty();
        var alice = new SignalParty();
        SessionBuilder.InitFromBundle(us.Record, us.Identity, alice.Bundle(true));
        alice.Decrypt(us.Encrypt("hi"));
        Assert.Equal("hello", us.Decrypt(alice.Encrypt("hello")));
        var store = new InMemorySignalStore();
        var pn = SignalAddress.FromJid(AlicePhoneByPn);
        var setup = new SignalChanges();
        setup.Sessions[pn] = us.Record.Serialize();
        setup.Identities[pn] = alice.IdentityPublic.ToArray();
        setup.LidMappings["777001"] = "15550002222";
        await store.CommitAsync(setup, CancellationToken.None);

        var changes = new SignalChanges();
        Assert.True(Jid.TryParse(listed, out var device));
        var target = await DeviceTarget.ForAsync(device, OutgoingMessage.Bytes(OutgoingMessage.Text("again")), changes, store, CancellationToken.None);
        var encryptor = new PairwiseEncryptor(store, us.Identity, NullLogger.Instance);
        var bundles = await encryptor.FetchBundlesAsync(new NoQueries(), [target], changes, freshSession: false, CancellationToken.None);
        var fanout = await encryptor.EncryptAsync([target], bundles, changes, freshSession: false, CancellationToken.None);

        var enc = Assert.Single(fanout.Nodes).Children[0];
        Assert.Equal("msg", enc.Attr("type")); // the old session, no new pkmsg
        Assert.Equal("again", SendHarness.Decrypt(alice, enc).Conversation);
        var lid = SignalAddress.FromJid(new Jid("777001", JidServer.Lid, 0));
        Assert.NotNull(changes.Sessions[lid]);
        Assert.Null(changes.Sessions[pn]);
        Assert.Equal(alice.IdentityPublic.ToArray(), changes.Identities[lid]);
    }

    /// <summary>A connection that must not be asked anything: a bundle query would mean a new session.</summary>
    private sealed class NoQueries : IStanzaChannel
    {
        public Task<Node> QueryAsync(Jid to, string xmlns, string type, Node child, CancellationToken cancellationToken) =>
            throw new InvalidOperationException($"unexpected {xmlns} query: the existing session should have been used");

        public Task<Task<Node?>> WriteMessageAsync(Node message, TimeSpan deadline, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask WriteAsync(Node node, CancellationToken cancellationToken) => throw new NotSupportedException();

        public string NextId() => "1";
    }
}
