using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using WaSms.Storage;
using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;

// Usage: WaSms.Storage.CrashWriter <state-dir>            (credentials and queue items)
//        WaSms.Storage.CrashWriter messages <state-dir>   (inbound messages with their Signal changes)
//        WaSms.Storage.CrashWriter late <state-dir>       (undecryptable placeholders replaced by late resends)
//        WaSms.Storage.CrashWriter platform-reset <state-dir>   (platform reset commands with their recorded reset)
// Whatever it prints was committed before it printed it, so the test knows what must survive a kill -9.
if (args is ["messages", var dir])
{
    await WriteMessagesAsync(dir);
    return;
}
if (args is ["platform-reset", var resetDir])
{
    await WritePlatformResetsAsync(resetDir);
    return;
}

if (args is ["late", var lateDir])
{
    await WriteLateResendsAsync(lateDir);
    return;
}

await using var store = await GatewayStore.OpenAsync(args[0], TimeProvider.System, NullLogger.Instance, CancellationToken.None);
var start = int.Parse((await store.GetSettingAsync("next", CancellationToken.None)) ?? "1");
for (var n = start; ; n++)
{
    // Commit n replaces the whole "whatsapp" scope with ten values "n" and queues item "m<n>".
    var values = Enumerable.Range(0, 10).ToDictionary(i => $"key{i}", _ => Encoding.ASCII.GetBytes(n.ToString()));
    await store.ReplaceSecretsAsync(SecretScopes.WhatsApp, values, CancellationToken.None);
    await store.EnqueueAsync("outbox", $"m{n}", Encoding.ASCII.GetBytes($"message {n}"), CancellationToken.None);
    await store.SetSettingAsync("next", (n + 1).ToString(), CancellationToken.None);
    Console.Out.WriteLine(n);
    Console.Out.Flush();
}

// Message n ("M<n>", text "n") is committed with the session of device n % 5 of "peer" set to "n",
// then committed again (a redelivery: stored once). Restarts after the last message in the stream.
static async Task WriteMessagesAsync(string dir)
{
    await using var store = await GatewayStore.OpenAsync(dir, TimeProvider.System, NullLogger.Instance, CancellationToken.None);
    var messages = new WhatsAppMessageStore(store);
    var last = 0;
    IReadOnlyList<MessageEvent> page;
    long cursor = 0;
    while ((page = await messages.ReadEventsAsync(cursor, 500, CancellationToken.None)).Count > 0)
    {
        cursor = page[^1].Cursor;
        last = int.Parse(page[^1].Message!.Text!, CultureInfo.InvariantCulture);
    }
    for (var n = last + 1; ; n++)
    {
        var text = n.ToString(CultureInfo.InvariantCulture);
        var changes = new SignalChanges();
        changes.Sessions[new SignalAddress("peer", (uint)(n % 5))] = Encoding.ASCII.GetBytes(text);
        var message = new InboundMessage("M" + text, "peer@s.whatsapp.net", "peer@s.whatsapp.net", null, DateTimeOffset.UnixEpoch.AddSeconds(n),
            "text", text, false, null, null, null);
        await messages.CommitInboundAsync(changes, message, CancellationToken.None);
        await messages.CommitInboundAsync(new SignalChanges(), message, CancellationToken.None);
        Console.Out.WriteLine(n);
        Console.Out.Flush();
    }
}

// Message n ("L<n>") is stored as an undecryptable placeholder with the session of device n % 5 of "peer"
// set to "<n>p", then its late resend replaces it (text "n", session "n"), then the resend comes again
// (a duplicate). On restart a message whose replacement was not committed gets it first, as a
// redelivery would bring it.
static async Task WriteLateResendsAsync(string dir)
{
    await using var store = await GatewayStore.OpenAsync(dir, TimeProvider.System, NullLogger.Instance, CancellationToken.None);
    var messages = new WhatsAppMessageStore(store);
    var events = new List<MessageEvent>();
    IReadOnlyList<MessageEvent> page;
    while ((page = await messages.ReadEventsAsync(events.Count == 0 ? 0 : events[^1].Cursor, 500, CancellationToken.None)).Count > 0)
    {
        events.AddRange(page);
    }
    var last = events.Count == 0 ? 0 : int.Parse(events[^1].Message!.Id[1..], CultureInfo.InvariantCulture);
    var n = last + 1;
    if (last > 0 && events.Count(e => e.Message!.Id == "L" + last) == 1)
    {
        n = last; // its placeholder is stored, its resend is not
    }
    for (; ; n++)
    {
        var text = n.ToString(CultureInfo.InvariantCulture);
        var device = new SignalAddress("peer", (uint)(n % 5));
        var placeholder = new InboundMessage("L" + text, "peer@s.whatsapp.net", "peer@s.whatsapp.net", null, DateTimeOffset.UnixEpoch.AddSeconds(n),
            InboundMessage.Undecryptable, null, false, null, null, "no resend");
        if (n != last)
        {
            var failed = new SignalChanges();
            failed.Sessions[device] = Encoding.ASCII.GetBytes(text + "p");
            await messages.CommitInboundAsync(failed, placeholder, CancellationToken.None);
        }
        var resent = new SignalChanges();
        resent.Sessions[device] = Encoding.ASCII.GetBytes(text);
        var resend = placeholder with { Type = "text", Text = text, Error = null };
        await messages.CommitInboundAsync(resent, resend, CancellationToken.None);
        await messages.CommitInboundAsync(new SignalChanges(), resend, CancellationToken.None);
        Console.Out.WriteLine(n);
        Console.Out.Flush();
    }
}

// Platform command n ("c_<n>", seq n) is a reset answered ok, committed with its seq and the reset it
// decided (a relink, origin "c_<n>", replacing the one before) in one transaction, as the tunnel does
// before it sends the answer.
static async Task WritePlatformResetsAsync(string dir)
{
    await using var store = await GatewayStore.OpenAsync(dir, TimeProvider.System, NullLogger.Instance, CancellationToken.None);
    for (var n = (int)await store.GetPlatformSeqAsync(CancellationToken.None) + 1; ; n++)
    {
        var id = "c_" + n.ToString(CultureInfo.InvariantCulture);
        await store.CommitPlatformCommandAsync(n, id, $$"""{"type":"result","id":"{{id}}","seq":{{n}},"ok":true}""", null, CancellationToken.None,
            new WaSms.Core.Reset.ResetIntent(WaSms.Core.Reset.ResetKind.Relink, true, id, DateTimeOffset.UtcNow));
        Console.Out.WriteLine(n);
        Console.Out.Flush();
    }
}
