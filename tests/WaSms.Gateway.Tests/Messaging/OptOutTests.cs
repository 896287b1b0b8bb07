using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaSms.Core.State;
using WaSms.Gateway.Configuration;
using WaSms.Core.Health;
using WaSms.Gateway.Control;
using WaSms.Gateway.Messaging;
using WaSms.Gateway.Messaging.Pacing;
using WaSms.Storage;
using WaSms.WhatsApp.Messaging.Send;
using WaSms.WhatsApp.Store;

namespace WaSms.Gateway.Tests.Messaging;

/// <summary>
/// Opt-out keywords over a real gateway database: which texts match, that the list changes in the
/// message's own commit (once, whatever the redeliveries), that jobs to an opted-out number fail
/// <c>opted-out</c> until an opt-in keyword or <c>optouts remove</c>, and which message caused it.
/// </summary>
public sealed class OptOutTests : IAsyncLifetime
{
    private const string AliceJid = "15550001111@s.whatsapp.net";
    private const string Alice = "+15550001111";

    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
    private readonly OptOutRules _rules = new(new PacingOptions());
    private GatewayStore _store = null!;
    private WhatsAppMessageStore _messages = null!;
    private PacingGate _gate = null!;
    private int _ids;

    public async Task InitializeAsync()
    {
        _store = await GatewayStore.OpenAsync(_dir.Path, _time, NullLogger.Instance, CancellationToken.None);
        _messages = new WhatsAppMessageStore(_store, _rules);
        _gate = new PacingGate(new PacingOptions { MinGap = TimeSpan.Zero, MaxGap = TimeSpan.Zero }, _store,
            new GatewayStateMachine(_time, NullLogger<GatewayStateMachine>.Instance), _time, new Random(1), NullLogger<PacingGate>.Instance);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _dir.Dispose();
    }

    private static InboundMessage Text(string text, string chat = AliceJid, string? sender = null, string? senderAlt = null, bool fromMe = false,
        string type = "text", string id = "3EB0000000000001") =>
        new(id, chat, sender ?? chat, senderAlt, DateTimeOffset.UnixEpoch, type, type == "text" ? text : null, fromMe, null, null, null);

    private async Task<InboundMessage> ReceiveAsync(string text, string chat = AliceJid)
    {
        var message = Text(text, chat, id: $"3EB0{++_ids:D16}");
        Assert.True(await _messages.CommitInboundAsync(new SignalChanges(), message, CancellationToken.None));
        return message;
    }

    private async Task<SendDecision> CheckAsync(string to) =>
        await _gate.CheckAsync(await _store.EnqueueOutboundAsync(null, to, "offer", CancellationToken.None), CancellationToken.None);

    [Theory]
    [InlineData("STOP", "STOP")]
    [InlineData("stop", "STOP")]
    [InlineData("  Stop!  ", "STOP")]
    [InlineData("stop.\n", "STOP")]
    [InlineData("\"Unsubscribe\"", "UNSUBSCRIBE")]
    [InlineData("Stopp 🙏", "STOPP")]
    [InlineData("STOP 👍🏽", "STOP")]
    [InlineData("arrêt", "ARRÊT")]
    [InlineData("Arret", "ARRET")]
    [InlineData("¡Baja!", "BAJA")]
    [InlineData("alto", "ALTO")]
    [InlineData("Parar", "PARAR")]
    [InlineData("sair", "SAIR")]
    [InlineData("Cancelar.", "CANCELAR")]
    [InlineData("abmelden", "ABMELDEN")]
    [InlineData("取消", "取消")]
    [InlineData("取消。", "取消")]
    [InlineData("إلغاء", "إلغاء")]
    public void AnOptOutKeyword_Matches_WhateverTheCaseAndThePunctuationAroundIt(string text, string keyword)
    {
        var change = _rules.Classify(Text(text));

        Assert.Equal(new OptOutChange(Alice, keyword, OptIn: false), change);
    }

    [Theory]
    [InlineData("please stop")]
    [InlineData("stop it")]
    [InlineData("STOPPED")]
    [InlineData("s t o p")]
    [InlineData("st.op")]
    [InlineData("")]
    [InlineData("!!!")]
    [InlineData("Don't stop me now")]
    [InlineData("取消订单")]
    public void ATextThatMerelyContainsAKeyword_IsNoOptOut(string text)
    {
        Assert.Null(_rules.Classify(Text(text)));
    }

    [Fact]
    public void OnlyA1To1TextFromTheSenderCounts_AndAHiddenNumberIsKeptByItsLidOrItsKnownNumber()
    {
        Assert.Null(_rules.Classify(Text("STOP", chat: "120363025246125486@g.us", sender: AliceJid)));
        Assert.Null(_rules.Classify(Text("STOP", fromMe: true)));
        Assert.Null(_rules.Classify(Text("STOP", type: "image")));
        Assert.Null(_rules.Classify(Text("STOP", chat: "status@broadcast", sender: AliceJid)));
        Assert.Equal(new OptOutChange("777001@lid", "STOP", false), _rules.Classify(Text("STOP", chat: "777001@lid")));
        Assert.Equal(new OptOutChange(Alice, "STOP", false), _rules.Classify(Text("stop", chat: "777001@lid", senderAlt: AliceJid)));
        Assert.Equal(new OptOutChange(Alice, "START", true), _rules.Classify(Text("Start!")));
    }

    [Fact]
    public async Task OptOut_FailsLaterJobsToThatNumber_OptIn_LetsThemGoAgain_AndTheCausingMessageIsKnown()
    {
        Assert.Equal(SendVerdict.Go, (await CheckAsync(AliceJid)).Verdict);
        var chat = await ReceiveAsync("Hi, is the shop open?");
        var stop = await ReceiveAsync("STOP");

        Assert.Equal(SendDecision.Fail("opted-out"), await CheckAsync(AliceJid));
        Assert.Equal(SendVerdict.Go, (await CheckAsync("15550002222@s.whatsapp.net")).Verdict); // only Alice
        Assert.Equal(SendVerdict.Go, (await CheckAsync("120363025246125486@g.us")).Verdict); // groups are no recipient's opt-out
        Assert.True(await _store.CausedOptOutAsync(stop.Id, CancellationToken.None));
        Assert.False(await _store.CausedOptOutAsync(chat.Id, CancellationToken.None));
        var entry = Assert.Single(await _store.GetOptOutsAsync(CancellationToken.None));
        Assert.Equal(new OptOutEntry(Alice, "STOP", stop.Id, _time.GetUtcNow()), entry);

        // A second keyword changes nothing and carries no flag; a redelivered STOP is a duplicate.
        var again = await ReceiveAsync("unsubscribe");
        Assert.False(await _store.CausedOptOutAsync(again.Id, CancellationToken.None));
        Assert.False(await _messages.CommitInboundAsync(new SignalChanges(), stop, CancellationToken.None));
        Assert.Single(await _store.GetOptOutsAsync(CancellationToken.None));

        var start = await ReceiveAsync("start");
        Assert.Empty(await _store.GetOptOutsAsync(CancellationToken.None));
        Assert.Equal(SendVerdict.Go, (await CheckAsync(AliceJid)).Verdict);
        Assert.True(await _store.CausedOptOutAsync(stop.Id, CancellationToken.None)); // what that message did stays known
        Assert.False(await _store.CausedOptOutAsync(start.Id, CancellationToken.None));
        Assert.Equal(OptOutEffect.OptedIn, await _store.GetOptOutEffectAsync(start.Id, CancellationToken.None));
        Assert.Equal(OptOutEffect.None, await _store.GetOptOutEffectAsync(again.Id, CancellationToken.None));
    }

    [Fact]
    public async Task TheListSurvivesARestart()
    {
        await ReceiveAsync("STOP");
        await _store.DisposeAsync();
        _store = await GatewayStore.OpenAsync(_dir.Path, _time, NullLogger.Instance, CancellationToken.None);

        Assert.True(await _store.IsOptedOutAsync(Alice, CancellationToken.None));
    }

    [Fact]
    public async Task TheControlCommands_ListAndRemove_WithClearErrors()
    {
        var list = new OptOutList(_store);
        var api = new MessagingApi(new ObservedMessageStore(_messages, new HealthCounters()), new WhatsAppSessionStore(_store), new NoClient(), _time);
        var commands = new MessagingCommands(api, new NoClient(), new NoDevPhone(), _time, list);
        var stop = await ReceiveAsync("Stop");

        var listed = await commands.HandleAsync(new ControlRequest("optouts"), CancellationToken.None);
        Assert.Equal([new OptOutReport(Alice, "STOP", stop.Id, _time.GetUtcNow())], listed!.OptOuts!);

        var bad = await commands.HandleAsync(new ControlRequest("optouts-remove", To: "15550001111"), CancellationToken.None);
        Assert.Equal((false, "usage"), (bad!.Ok, bad.Code));
        var group = await commands.HandleAsync(new ControlRequest("optouts-remove", To: "120363025246125486@g.us"), CancellationToken.None);
        Assert.Equal((false, "usage"), (group!.Ok, group.Code));

        var removed = await commands.HandleAsync(new ControlRequest("optouts-remove", To: Alice), CancellationToken.None);
        Assert.True(removed!.Ok);
        Assert.Equal(SendVerdict.Go, (await CheckAsync(AliceJid)).Verdict);
        var absent = await commands.HandleAsync(new ControlRequest("optouts-remove", To: Alice), CancellationToken.None);
        Assert.Equal((false, "+15550001111 is not on the opt-out list", null), (absent!.Ok, absent.Error, absent.Code));
        Assert.Empty((await commands.HandleAsync(new ControlRequest("optouts"), CancellationToken.None))!.OptOuts!);
    }

    /// <summary>No WhatsApp client: these commands never reach it.</summary>
    private sealed class NoClient : IOutboxWaker, IGroupDirectory
    {
        public void WakeOutbox()
        {
        }

        public Task<IReadOnlyList<JoinedGroup>> GetJoinedGroupsAsync(CancellationToken cancellationToken) =>
            throw new InvalidOperationException("not online");
    }

    [Fact]
    public async Task APageOfTheStreamGetsItsOptOutFlagsFromOneLookup()
    {
        await ReceiveAsync("hello");
        await ReceiveAsync("STOP");
        await ReceiveAsync("start");
        var page = await _messages.ReadEventsAsync(0, 10, CancellationToken.None);
        var frames = await WaSms.Gateway.Tunnel.Sync.EventMapper.ToFramesAsync(page, _store, new WaSms.Gateway.Tunnel.Identity.DeviceIdentity(_store),
            CancellationToken.None);
        Assert.Equal([("hello", false, (bool?)null), ("STOP", true, null), ("start", false, true)],
            frames.Select(f => (f.Frame!.Message!.Text, f.Frame.Message.OptOut, f.Frame.Message.OptIn)));
    }
}
