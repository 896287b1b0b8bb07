using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Messaging.Groups;
using WaSms.WhatsApp.Messaging.Send;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Tests.Messaging.Send;

/// <summary>Group metadata over w:g2 (docs/protocol/messaging.md §11) and the participant hash (§5).</summary>
public sealed class GroupQueryTests
{
    [Fact]
    public void ParseInfo_ReadsSubjectModeAndMembers_LearnsTheirLidPairs()
    {
        var group = NodeHelpers.Make("group", [("id", "120363001"), ("subject", "Team"), ("addressing_mode", "lid"), ("creation", "1764633600")],
            NodeHelpers.Make("participant", ("jid", new Jid("777001", JidServer.Lid)), ("phone_number", new Jid("15550002222", JidServer.WhatsApp))),
            NodeHelpers.Make("participant", ("jid", new Jid("15550003333", JidServer.WhatsApp)), ("lid", new Jid("777002", JidServer.Lid)), ("type", "admin")),
            NodeHelpers.Make("participant", ("jid", new Jid("777003", JidServer.Lid))));
        var learned = new SignalChanges();

        var metadata = GroupQuery.ParseInfo(NodeHelpers.Make("iq", [("type", "result")], group), learned);

        Assert.Equal(new GroupInfo(new Jid("120363001", JidServer.Group), "Team", 3, "lid"), metadata.ToInfo());
        Assert.Equal(new Dictionary<string, string> { ["777001"] = "15550002222", ["777002"] = "15550003333" }, learned.LidMappings);
        Assert.Equal(new Jid("777002", JidServer.Lid), metadata.Participants[1].Lid);
    }

    [Fact]
    public void ParseParticipating_ReadsEveryGroup_DefaultsToPhoneNumberAddressing()
    {
        var reply = NodeHelpers.Make("iq", [("type", "result")], NodeHelpers.Make("groups", [],
            NodeHelpers.Make("group", [("id", "120363001"), ("subject", "Team")], NodeHelpers.Make("participant", ("jid", new Jid("15550003333", JidServer.WhatsApp)))),
            NodeHelpers.Make("group", [("id", "120363002@g.us"), ("subject", "Other"), ("addressing_mode", "lid")]),
            NodeHelpers.Make("group", ("subject", "no id"))));

        var groups = GroupQuery.ParseParticipating(reply, new SignalChanges());

        Assert.Equal(
            [new GroupInfo(new Jid("120363001", JidServer.Group), "Team", 1, "pn"), new GroupInfo(new Jid("120363002", JidServer.Group), "Other", 0, "lid")],
            groups.Select(g => g.ToInfo()));
    }

    [Fact]
    public void ParseInfo_NotAMember_Throws()
    {
        var error = NodeHelpers.Make("iq", [("type", "error")], NodeHelpers.Make("error", ("code", "403"), ("text", "forbidden")));

        Assert.Contains("403 forbidden", Assert.Throws<WaProtocolException>(() => GroupQuery.ParseInfo(error, new SignalChanges())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParticipantHash_IsSortedAdStrings_Sha256_SixBytes_Base64()
    {
        // Expected value from Python: base64(sha256("15550001111.0:2@s.whatsapp.net15550002222.0:0@s.whatsapp.net15550002222.0:3@s.whatsapp.net")[:6]).
        var hash = ParticipantHash.V2([new Jid("15550002222", JidServer.WhatsApp, 3), new Jid("15550002222", JidServer.WhatsApp), new Jid("15550001111", JidServer.WhatsApp, 2)]);

        Assert.Equal("2:6OfyuhZt", hash);
    }
}
