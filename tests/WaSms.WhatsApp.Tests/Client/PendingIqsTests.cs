using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Client;
using Xunit;

namespace WaSms.WhatsApp.Tests.Client;

public sealed class PendingIqsTests
{
    private static Node Iq(string type, string id) => NodeHelpers.Make("iq", ("type", type), ("id", id));

    [Fact]
    public async Task ResultOrError_CompletesTheWaiterWithTheSameId_Only()
    {
        var pending = new PendingIqs();
        var first = pending.Add("1");
        var second = pending.Add("2");

        Assert.True(pending.TryAnswer(Iq("error", "2")));

        Assert.Equal("error", (await second).Attr("type"));
        Assert.False(first.IsCompleted);
    }

    [Fact]
    public void Requests_AreNotAnswers_AndLateAnswersAreDropped()
    {
        var pending = new PendingIqs();
        var waiting = pending.Add("1");

        Assert.False(pending.TryAnswer(Iq("get", "1")));
        Assert.False(waiting.IsCompleted);

        pending.Remove("1"); // timed out
        Assert.True(pending.TryAnswer(Iq("result", "1")));
        Assert.False(waiting.IsCompleted);
    }

    [Fact]
    public async Task FailAll_EndsEveryOpenWait_CancelledOrWithTheError()
    {
        var pending = new PendingIqs();
        var cancelled = pending.Add("1");
        pending.FailAll();
        await Assert.ThrowsAsync<TaskCanceledException>(() => cancelled);

        var failed = pending.Add("2");
        pending.FailAll(new InvalidOperationException("closed"));
        Assert.Equal("closed", (await Assert.ThrowsAsync<InvalidOperationException>(() => failed)).Message);
    }
}
