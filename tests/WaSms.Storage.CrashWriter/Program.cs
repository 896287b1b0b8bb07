using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using WaSms.Storage;
using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;

// Usage: WaSms.Storage.CrashWriter <state-dir>            (credentials and queue items)
//        WaSms.Storage.CrashWriter messages <state-dir>   (inbound messages with their Signal changes)
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
