using WaSms.Emulators.WhatsApp;
using WaSms.WhatsApp.Binary;

namespace WaSms.WhatsApp.Tests.Emulator;

/// <summary>
/// The per-device offline queue (docs/protocol/messaging.md §10): what arrives while a device is
/// away is delivered at its next login with <c>offline</c>, then <c>&lt;ib&gt;&lt;offline count/&gt;</c>;
/// what it did not answer comes again at the login after.
/// </summary>
public sealed class EmulatorOfflineTests
{
    [Fact]
    public async Task QueuedStanzas_ComeWithOffline_ThenTheMarker_AndUnansweredOnesComeAgain()
    {
        await using var emulator = new WaEmulator();
        emulator.Start();
        await using var alice = await RawDevice.LinkAsync(emulator, "15550300001");
        await using var bob = await RawDevice.LinkAsync(emulator, "15550300002", connect: false);
        var bobUser = new Jid("15550300002", JidServer.WhatsApp);

        // The marker follows every login, with 0 when nothing waited.
        Assert.Equal("0", Marker(await alice.NextAsync("ib")));

        await alice.SendAsync(EmulatorRoutingTests.Message("o1", bobUser, ("text", null), (bob.Jid, "pkmsg", [1])));
        await alice.SendAsync(EmulatorRoutingTests.Message("o2", bobUser, ("text", null), (bob.Jid, "msg", [2])));
        await alice.NextAsync("ack");
        await alice.NextAsync("ack");
        Assert.Equal(2, emulator.QueuedFor(bob.Jid));

        await bob.ConnectAsync();
        var first = await bob.NextAsync("message");
        var second = await bob.NextAsync("message");
        Assert.Equal(("o1", "o2"), (first.Attr("id"), second.Attr("id")));
        Assert.NotNull(first.Attr("offline"));
        Assert.NotNull(second.Attr("offline"));
        Assert.Equal("2", Marker(await bob.NextAsync("ib")));

        // Only o1 is receipted; o2 comes again at the next login, before a new marker.
        await bob.SendAsync(NodeHelpers.Make("receipt", ("id", "o1"), ("to", first.JidAttr("from")!)));
        await bob.NextAsync("ack");
        await bob.DisconnectAsync();
        await bob.ConnectAsync();
        var again = await bob.NextAsync("message");
        Assert.Equal("o2", again.Attr("id"));
        Assert.Equal("1", Marker(await bob.NextAsync("ib")));

        // Answered with a nack this time: nothing is left.
        await bob.SendAsync(NodeHelpers.Make("ack", ("class", "message"), ("id", "o2"), ("to", again.JidAttr("from")!), ("error", "500")));
        await EmulatorRoutingTests.Drain(bob);
        await bob.DisconnectAsync();
        await bob.ConnectAsync();
        Assert.Equal("0", Marker(await bob.NextAsync("ib")));
        Assert.DoesNotContain(await EmulatorRoutingTests.Drain(bob), n => n.Tag == "message");

        // The receipt for o1 waited for Alice too if she was away; she was online, so she has it.
        Assert.Equal("o1", (await alice.NextAsync("receipt")).Attr("id"));
    }

    private static string? Marker(Node ib) => ib.TryGetChild("offline", out var offline) ? offline.Attr("count") : null;
}
