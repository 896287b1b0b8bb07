using WaSms.Gateway.Tunnel.Sync;
using WaSms.WhatsApp.Store;

namespace WaSms.Gateway.Tests.Tunnel;

/// <summary>How stream entries become <c>event</c> frames (docs/tunnel.md §5): addresses and job ids.</summary>
public sealed class EventMapperTests
{
    private static MessageEvent Inbound(string chat, string sender, string? senderAlt) =>
        new(7, MessageEventKind.Message, new InboundMessage("3EB0A1", chat, sender, senderAlt, DateTimeOffset.UnixEpoch, "text", "hi", false, "Alice", null, null), null);

    [Theory]
    // WhatsApp addressed the sender by LID and gave the phone number beside it: the platform sees the number.
    [InlineData("85193748290123@lid", "85193748290123@lid", "4915112345678@s.whatsapp.net", "+4915112345678", "+4915112345678")]
    [InlineData("120363025246125486@g.us", "85193748290123:4@lid", "4915112345678:4@s.whatsapp.net", "120363025246125486@g.us", "+4915112345678")]
    // The number is hidden and unknown: the LID stays.
    [InlineData("85193748290123@lid", "85193748290123@lid", null, "85193748290123@lid", "85193748290123@lid")]
    // A phone-number sender (device suffix dropped); its alternate (a LID) is not used.
    [InlineData("4915112345678@s.whatsapp.net", "4915112345678:2@s.whatsapp.net", "85193748290123@lid", "+4915112345678", "+4915112345678")]
    [InlineData("4915112345678@c.us", "4915112345678@c.us", null, "+4915112345678", "+4915112345678")]
    public void ChatAndFromAreE164WheneverTheNumberIsKnown(string chat, string sender, string? senderAlt, string wantChat, string wantFrom)
    {
        var frame = EventMapper.ToFrame(Inbound(chat, sender, senderAlt))!;
        Assert.Equal((wantChat, wantFrom), (frame.Message!.Chat, frame.Message.From));
    }

    [Theory]
    [InlineData("platform:gw_a:8812", "gw_a", "8812")]
    [InlineData("platform:gw_a:8812", "gw_b", null)] // an earlier enrollment's job
    [InlineData("8812", "gw_a", null)] // a local send --id 8812
    [InlineData(null, "gw_a", null)]
    public void AStatusCarriesTheJobIdOnlyForThisEnrollmentsJobs(string? callerId, string gatewayId, string? wantJobId)
    {
        var entry = new MessageEvent(9, MessageEventKind.Status, null,
            new StatusChange("3EB0C4", callerId, "4915112345678@s.whatsapp.net", MessageStatus.Sent, DateTimeOffset.UnixEpoch, null));
        Assert.Equal(wantJobId, EventMapper.ToFrame(entry, gatewayId: gatewayId)!.Status!.JobId);
    }
}
