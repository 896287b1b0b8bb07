using WaSms.WhatsApp.Store;

namespace WaSms.Testing.Contracts;

/// <summary>
/// One person under two addresses is one sender (the server may deliver a message by phone number and
/// again by LID); a message that failed to decrypt is stored as undecryptable once its sender has not
/// resent it in time, exactly once.
/// </summary>
public abstract partial class MessageStoreContract
{
    private const string AliceLid = "98765@lid";
    private const string Group = "120363001@g.us";

    private static SignalChanges AliceMapping()
    {
        var changes = new SignalChanges();
        changes.LidMappings["98765"] = "15555550100";
        return changes;
    }

    [Fact]
    public async Task CommitInbound_ByPhoneNumberThenByLid_OfAKnownPair_IsStoredOnce()
    {
        Assert.True(await Messages.CommitInboundAsync(AliceMapping(), Text("D1", "hi"), None));
        Assert.True(await Messages.CommitInboundAsync(new SignalChanges(), Text("G1", "team", chat: Group, sender: Chat), None));

        Assert.True(await Messages.HasInboundAsync(AliceLid, AliceLid, "D1", None));
        Assert.False(await Messages.CommitInboundAsync(new SignalChanges(), Text("D1", "hi", chat: AliceLid), None));
        Assert.True(await Messages.HasInboundAsync(Group, AliceLid, "G1", None));
        Assert.False(await Messages.CommitInboundAsync(new SignalChanges(), Text("G1", "team", chat: Group, sender: AliceLid), None));
        // A LID the map does not know is someone else.
        Assert.True(await Messages.CommitInboundAsync(new SignalChanges(), Text("D1", "hi", chat: "11111@lid"), None));

        Assert.Equal(["D1", "G1", "D1"], (await Messages.ReadEventsAsync(0, 10, None)).Select(e => e.Message!.Id));
    }

    [Fact]
    public async Task CommitInbound_ByLidThenByPhoneNumber_WithThePairLearntOnTheWay_IsStoredOnce()
    {
        Assert.True(await Messages.CommitInboundAsync(new SignalChanges(), Text("D2", "hi", chat: AliceLid), None));
        Assert.False(await Messages.HasInboundAsync(Chat, Chat, "D2", None)); // the pair is not known yet

        // The redelivery by phone number brings the pair; it is committed before the duplicate check.
        Assert.False(await Messages.CommitInboundAsync(AliceMapping(), Text("D2", "hi"), None));

        Assert.True(await Messages.HasInboundAsync(Chat, Chat, "D2", None));
        Assert.Single(await Messages.ReadEventsAsync(0, 10, None));
    }

    [Fact]
    public async Task StoreUndecrypted_StoresWhatWaitedPastTheCutoff_OnceWithTheReason_NotWhatWasStoredMeanwhile()
    {
        var u1 = Text("U1", "x") with { Type = "undecryptable", Text = null, Content = null, Error = "msg: bad MAC" };
        await Messages.RememberUndecryptedAsync(u1, None);
        Time.Advance(TimeSpan.FromMinutes(5));
        await Messages.RememberUndecryptedAsync(u1 with { Id = "U2" }, None);
        await Messages.RememberUndecryptedAsync(u1 with { Error = "a later failure" }, None); // the first failure counts

        Assert.Empty(await Messages.StoreUndecryptedAsync(Start, "no resend", None));
        var stored = Assert.Single(await Messages.StoreUndecryptedAsync(Start.AddMinutes(1), "no resend", None));

        Assert.Equal(("U1", "undecryptable", null, "no resend (msg: bad MAC)"), (stored.Id, stored.Type, stored.Text, stored.Error));
        Assert.Equal((Chat, Chat, "Alice", false, u1.Timestamp), (stored.Chat, stored.Sender, stored.PushName, stored.FromMe, stored.Timestamp));
        Assert.False(await Messages.HasInboundAsync(Chat, Chat, "U1", None)); // a placeholder: a resend is still decrypted
        // U2's resend decrypted: stored as a text, and the sweep leaves it alone.
        Assert.True(await Messages.CommitInboundAsync(new SignalChanges(), Text("U2", "late but fine"), None));
        Assert.Empty(await Messages.StoreUndecryptedAsync(Start.AddDays(1), "no resend", None));
        Assert.Empty(await Messages.StoreUndecryptedAsync(Start.AddDays(1), "no resend", None));
        var events = await Messages.ReadEventsAsync(0, 10, None);
        Assert.Equal([("U1", "undecryptable"), ("U2", "text")], events.Select(e => (e.Message!.Id, e.Message.Type)));
    }

    [Fact]
    public async Task ALateResend_ReplacesTheUndecryptablePlaceholder_OnceWithANewEvent_AlsoUnderTheTwinForm()
    {
        var placeholder = Text("L1", "x") with { Type = InboundMessage.Undecryptable, Text = null, Content = null, Error = "no resend (msg: bad MAC)" };
        Assert.True(await Messages.CommitInboundAsync(AliceMapping(), placeholder, None));
        Assert.False(await Messages.CommitInboundAsync(new SignalChanges(), placeholder with { Error = "again" }, None)); // a placeholder never replaces one
        Assert.False(await Messages.HasInboundAsync(AliceLid, AliceLid, "L1", None));

        // The resend comes addressed by LID: the same message, so the stored row is replaced, not a second one added.
        var resend = Text("L1", "made it", chat: AliceLid, sender: AliceLid);
        Assert.True(await Messages.CommitInboundAsync(new SignalChanges(), resend, None));
        Assert.True(await Messages.HasInboundAsync(Chat, Chat, "L1", None));
        Assert.False(await Messages.CommitInboundAsync(new SignalChanges(), resend, None));
        Assert.False(await Messages.CommitInboundAsync(new SignalChanges(), placeholder, None));
        await Messages.RememberUndecryptedAsync(placeholder, None);
        Assert.Empty(await Messages.StoreUndecryptedAsync(Start.AddDays(1), "no resend", None));

        var events = await Messages.ReadEventsAsync(0, 10, None);
        Assert.Equal(2, events.Count);
        var replaced = events[1].Message!;
        Assert.Equal(("L1", Chat, Chat, "text", "made it", null), (replaced.Id, replaced.Chat, replaced.Sender, replaced.Type, replaced.Text, replaced.Error));
        Assert.Equal(1, (await Messages.GetDailyCountersAsync(DateOnly.FromDateTime(Start.Date), None)).In);
    }

    [Fact]
    public async Task ABatch_WithThePlaceholderAndItsResend_StoresBoth_TheResendReplacing()
    {
        var placeholder = Text("L2", "x") with { Type = InboundMessage.Undecryptable, Text = null, Content = null, Error = "unavailable:view_once" };

        var stored = await Messages.CommitInboundBatchAsync(new SignalChanges(), [placeholder, Text("L2", "here"), Text("L2", "here")], None);

        Assert.Equal([true, true, false], stored);
        var events = await Messages.ReadEventsAsync(0, 10, None);
        Assert.Equal(2, events.Count); // the placeholder's and the replacement's (an event read now may show the row as it is now)
        Assert.Equal(("L2", "text", "here"), (events[1].Message!.Id, events[1].Message!.Type, events[1].Message!.Text));
    }
}
