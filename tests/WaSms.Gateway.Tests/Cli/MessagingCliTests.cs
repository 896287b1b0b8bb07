using System.Collections;
using System.Text.Json;
using WaSms.Core.State;
using WaSms.Emulators.WhatsApp;
using WaSms.Gateway.Cli;
using WaSms.WhatsApp.Store;

namespace WaSms.Gateway.Tests.Cli;

/// <summary>
/// The messaging commands end to end: the CLI's own entry point, the real control socket, the whole
/// host in this process linked to the emulator, and its SQLite store. Inbound messages and status
/// changes are committed through the host's <see cref="IMessageStore"/>, the one the WhatsApp client
/// writes to.
/// </summary>
public sealed class MessagingCliTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Alice = "15555550100@s.whatsapp.net";

    private readonly TempDirectory _dir = new();
    private readonly WaEmulator _emulator = new();
    private InProcessGateway _gateway = null!;

    private string State => _dir.Path;

    public async Task InitializeAsync()
    {
        _emulator.Start();
        _gateway = await InProcessGateway.StartAsync(_emulator, State, output);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _emulator.DisposeAsync();
        _dir.Dispose();
    }

    private async Task LinkAsync()
    {
        var qr = await _gateway.Machine.WaitForAsync(s => s.State == GatewayState.Unpaired && s.Pairing?.QrCode is not null);
        await new PhoneSimulator(_emulator, "15550009999").ScanAsync(qr.Pairing!.QrCode!, CancellationToken.None);
        await _gateway.Machine.WaitForAsync(s => s.State == GatewayState.Online);
    }

    private Task<(int Code, string Output, string Error)> CliAsync(params string[] args) => InProcessCli.RunAsync([.. args, "--state-dir", State]);

    private IMessageStore Messages => _gateway.Get<IMessageStore>();

    private Task<bool> CommitAsync(string id, string text) =>
        Messages.CommitInboundAsync(new SignalChanges(), new InboundMessage(id, Alice, Alice, null,
            new DateTimeOffset(2026, 12, 2, 9, 30, 0, TimeSpan.Zero), "text", text, false, "Alice", null, null), CancellationToken.None);

    [Fact]
    public async Task Send_BeforeLinking_SaysSo_AndABadNumberIsAUsageError()
    {
        var notLinked = await CliAsync("send", "+15555550100", "hi", "--no-wait");
        var badNumber = await CliAsync("send", "15555550100", "hi");
        var groups = await CliAsync("groups");
        var devSay = await CliAsync("dev", "say", "+15555550100", "hi");

        Assert.Equal((4, ""), (notLinked.Code, notLinked.Output));
        Assert.StartsWith("wasms-gateway: the gateway is not linked", notLinked.Error, StringComparison.Ordinal);
        Assert.Equal(64, badNumber.Code);
        Assert.Contains("is not a recipient: give a phone number with country code", badNumber.Error, StringComparison.Ordinal);
        Assert.Single(badNumber.Error.Trim().Split('\n'));
        Assert.Equal(1, groups.Code);
        Assert.Contains("only while online", groups.Error, StringComparison.Ordinal);
        Assert.Equal(1, devSay.Code);
        Assert.Contains("dev say works only in dev mode", devSay.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendThenMessages_PrintTheIdAndTheStreamInStoredOrder()
    {
        await LinkAsync();
        await CommitAsync("A1", "hello gateway");

        var sent = await CliAsync("send", "+15555550100", "hello", "Alice", "--id", "order-1", "--no-wait");
        var again = await CliAsync("send", "+15555550100", "hello", "Alice", "--id", "order-1", "--no-wait");
        var reused = await CliAsync("send", "+15555550100", "other text", "--id", "order-1", "--no-wait");
        var id = sent.Output.Trim();
        // Sent now: status's "today" counts a send by the day it was sent (a fixed date here failed once that day had passed).
        await Messages.UpdateOutboundStatusAsync(id, MessageStatus.Sent, DateTimeOffset.UtcNow, null, CancellationToken.None);
        var json = await CliAsync("messages", "--json");
        var plain = await CliAsync("messages");
        var status = await CliAsync("status", "--json");

        Assert.True(sent.Code == 0, sent.Error);
        Assert.Matches("^3EB0[0-9A-F]{18}$", id);
        Assert.Equal((0, id), (again.Code, again.Output.Trim()));
        Assert.Equal((64, ""), (reused.Code, reused.Output));
        Assert.Equal($"wasms-gateway: the id order-1 was already used for another message ({id} to {Alice}); give each new message its own id", reused.Error.Trim());
        var job = (await Messages.GetOutboundAsync(id, CancellationToken.None))!;
        Assert.Equal((Alice, "hello Alice", "order-1"), (job.To, job.Text, job.CallerId));

        Assert.True(json.Code == 0, json.Error);
        var lines = json.Output.Trim().Split('\n').Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["message", "status", "status"], lines.Select(l => l.GetProperty("kind").GetString()));
        Assert.Equal(("A1", Alice, Alice, "text", "hello gateway"), (lines[0].GetProperty("id").GetString(), lines[0].GetProperty("chat").GetString(),
            lines[0].GetProperty("from").GetString(), lines[0].GetProperty("type").GetString(), lines[0].GetProperty("text").GetString()));
        Assert.Equal("2026-12-02T09:30:00+00:00", lines[0].GetProperty("timestamp").GetString());
        Assert.Equal([id, id], lines.Skip(1).Select(l => l.GetProperty("id").GetString()));
        Assert.Equal(["pending", "sent"], lines.Skip(1).Select(l => l.GetProperty("status").GetString()));
        Assert.Equal(3, plain.Output.Trim().Split('\n').Length);
        Assert.Contains($"{Alice}  {Alice} (Alice): hello gateway", plain.Output, StringComparison.Ordinal);
        Assert.Contains($"{Alice}  {id} sent", plain.Output, StringComparison.Ordinal);

        using var report = JsonDocument.Parse(status.Output);
        var today = report.RootElement.GetProperty("today");
        Assert.Equal((1, 1, 0, 0), (today.GetProperty("in").GetInt32(), today.GetProperty("out").GetInt32(),
            today.GetProperty("failed").GetInt32(), today.GetProperty("queued").GetInt32()));
        // The online screen shows the same day's counts.
        var screen = await _gateway.Get<Hardware.Display.IScreenStatsSource>().GetAsync(CancellationToken.None);
        Assert.Equal((1L, 1L, 0L), (screen.MessagesIn, screen.MessagesOut, screen.QueueDepth));
    }

    [Fact]
    public async Task AStopMessage_OptsTheSenderOut_ItsSendsFail_AndOptoutsListsAndRemovesIt()
    {
        await LinkAsync();
        await CommitAsync("S1", "Stop!");

        var listed = await CliAsync("optouts");
        var refused = await CliAsync("send", "+15555550100", "offer");
        var status = await CliAsync("status", "--json");
        var removed = await CliAsync("optouts", "remove", "+15555550100");
        var absent = await CliAsync("optouts", "remove", "+15555550100");
        var usage = await CliAsync("optouts", "remove", "15555550100");
        var empty = await CliAsync("optouts");

        Assert.True(listed.Code == 0, listed.Error);
        Assert.Matches(@"^\+15555550100\tSTOP\t\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\tS1$", listed.Output.Trim());
        Assert.Equal(1, refused.Code);
        Assert.EndsWith("failed: opted-out", refused.Error.Trim(), StringComparison.Ordinal);
        using (var report = JsonDocument.Parse(status.Output))
        {
            Assert.False(report.RootElement.GetProperty("pacing").GetProperty("paused").GetBoolean());
        }
        Assert.Equal((0, "+15555550100 is off the opt-out list; sends to it go out again"), (removed.Code, removed.Output.Trim()));
        Assert.Equal((1, "wasms-gateway: +15555550100 is not on the opt-out list"), (absent.Code, absent.Error.Trim()));
        Assert.Equal(64, usage.Code);
        Assert.Equal((0, ""), (empty.Code, empty.Output));
    }

    [Fact]
    public async Task MessagesFollow_PrintsWhatIsStoredAfterItStarted()
    {
        await CommitAsync("A1", "before");
        using var follow = new StringWriter();
        using var stop = new CancellationTokenSource();
        var running = GatewayCli.RunAsync(["messages", "--json", "--follow", "--state-dir", State], new Hashtable(), TextWriter.Synchronized(follow), TextWriter.Null, stop.Token);
        await Eventually.UntilAsync(() => follow.ToString().Contains("\"before\"", StringComparison.Ordinal), Eventually.DefaultTimeout, "the stored message printed");

        await CommitAsync("A2", "after");

        await Eventually.UntilAsync(() => follow.ToString().Contains("\"after\"", StringComparison.Ordinal), Eventually.DefaultTimeout, "the new message printed",
            () => follow.ToString());
        stop.Cancel();
        Assert.Equal(0, await running);
        Assert.Equal(2, follow.ToString().Trim().Split('\n').Length);
    }
}
