using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;

namespace WaSms.Testing.Contracts;

/// <summary>
/// What every <see cref="ISignalStore"/> must do, run against each implementation (in memory, SQLite):
/// records come back as they were committed, per address, group and LID↔phone pair; a null session
/// deletes; a commit removes the one-time prekeys it used up.
/// </summary>
public abstract class SignalStoreContract : MessagingStoreContract
{
    [Fact]
    public async Task LoadSessions_ReturnsOnlyTheAddressesThatHaveOne()
    {
        var changes = SessionChange(Alice, 1, 2, 3);
        changes.Sessions[BobLid] = [4, 5];
        await Signal.CommitAsync(changes, None);

        var loaded = await Signal.LoadSessionsAsync([Alice, AlicePhone, BobLid], None);

        Assert.Equal(2, loaded.Count);
        Assert.Equal([1, 2, 3], loaded[Alice]);
        Assert.Equal([4, 5], loaded[BobLid]);
        Assert.Empty(await Signal.LoadSessionsAsync([], None));
    }

    [Fact]
    public async Task Commit_ReplacesARecord_AndNullDeletesIt()
    {
        await Signal.CommitAsync(SessionChange(Alice, 1), None);
        await Signal.CommitAsync(SessionChange(AlicePhone, 7), None);

        await Signal.CommitAsync(SessionChange(Alice, 2), None);
        Assert.Equal([2], await SessionOf(Alice));

        var delete = new SignalChanges();
        delete.Sessions[Alice] = null;
        await Signal.CommitAsync(delete, None);
        Assert.Null(await SessionOf(Alice));
        Assert.Equal([7], await SessionOf(AlicePhone));
    }

    [Fact]
    public async Task Identities_AreKeptPerAddress()
    {
        var changes = new SignalChanges();
        changes.Identities[Alice] = [.. Enumerable.Repeat((byte)0xA1, 32)];
        changes.Identities[BobLid] = [.. Enumerable.Repeat((byte)0xB2, 32)];
        await Signal.CommitAsync(changes, None);
        var replace = new SignalChanges();
        replace.Identities[Alice] = [.. Enumerable.Repeat((byte)0xA3, 32)];
        await Signal.CommitAsync(replace, None);

        Assert.Equal(Enumerable.Repeat((byte)0xA3, 32), await Signal.LoadIdentityAsync(Alice, None));
        Assert.Equal(Enumerable.Repeat((byte)0xB2, 32), await Signal.LoadIdentityAsync(BobLid, None));
        Assert.Null(await Signal.LoadIdentityAsync(AlicePhone, None));
    }

    [Fact]
    public async Task SenderKeys_AreKeptPerGroupAndSender()
    {
        var changes = new SignalChanges();
        changes.SenderKeys[("120363001@g.us", Alice)] = [1];
        changes.SenderKeys[("120363002@g.us", Alice)] = [2];
        changes.SenderKeys[("120363001@g.us", BobLid)] = [3];
        await Signal.CommitAsync(changes, None);

        Assert.Equal([1], await Signal.LoadSenderKeyAsync("120363001@g.us", Alice, None));
        Assert.Equal([2], await Signal.LoadSenderKeyAsync("120363002@g.us", Alice, None));
        Assert.Equal([3], await Signal.LoadSenderKeyAsync("120363001@g.us", BobLid, None));
        Assert.Null(await Signal.LoadSenderKeyAsync("120363002@g.us", BobLid, None));
    }

    [Fact]
    public async Task LidMappings_AnswerBothWays_AndANewPairReplacesTheOldOnes()
    {
        var changes = new SignalChanges();
        changes.LidMappings["98765"] = "15555550101";
        changes.LidMappings["11111"] = "15555550100";
        await Signal.CommitAsync(changes, None);

        Assert.Equal("98765", await Signal.GetLidUserAsync("15555550101", None));
        Assert.Equal("15555550101", await Signal.GetPhoneUserAsync("98765", None));
        Assert.Null(await Signal.GetLidUserAsync("15555550199", None));

        // The number 15555550101 now has another LID: the old LID no longer points at it.
        var moved = new SignalChanges();
        moved.LidMappings["55555"] = "15555550101";
        await Signal.CommitAsync(moved, None);

        Assert.Equal("55555", await Signal.GetLidUserAsync("15555550101", None));
        Assert.Null(await Signal.GetPhoneUserAsync("98765", None));
        Assert.Equal("15555550100", await Signal.GetPhoneUserAsync("11111", None));
    }

    [Fact]
    public async Task Commit_RemovesTheUsedPreKeys()
    {
        await Store.PreKeys.GetOrCreateUnuploadedAsync(3, None);
        var changes = SessionChange(Alice, 9);
        changes.UsedPreKeys.Add(2);

        await Signal.CommitAsync(changes, None);

        Assert.Null(await Store.PreKeys.GetAsync(2, None));
        Assert.NotNull(await Store.PreKeys.GetAsync(1, None));
        Assert.NotNull(await Store.PreKeys.GetAsync(3, None));
    }

    [Fact]
    public async Task Records_AreCopies_NotTheCallersArrays()
    {
        byte[] record = [1, 2, 3];
        await Signal.CommitAsync(SessionChange(Alice, record), None);
        record[0] = 99;

        var loaded = await SessionOf(Alice);
        loaded![1] = 99;

        Assert.Equal([1, 2, 3], await SessionOf(Alice));
    }

    [Fact]
    public async Task EmptyCommit_ChangesNothing()
    {
        await Signal.CommitAsync(SessionChange(Alice, 1), None);

        await Signal.CommitAsync(new SignalChanges(), None);

        Assert.Equal([1], await SessionOf(Alice));
    }
}
