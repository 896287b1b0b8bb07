using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using WaSms.Storage;

// Usage: WaSms.Storage.CrashWriter <state-dir>
// Commit n replaces the whole "whatsapp" scope with ten values "n" and queues item "m<n>";
// "n" is printed only after the commit returned, so the test knows what must survive a kill -9.
await using var store = await GatewayStore.OpenAsync(args[0], TimeProvider.System, NullLogger.Instance, CancellationToken.None);
var start = int.Parse((await store.GetSettingAsync("next", CancellationToken.None)) ?? "1");
for (var n = start; ; n++)
{
    var values = Enumerable.Range(0, 10).ToDictionary(i => $"key{i}", _ => Encoding.ASCII.GetBytes(n.ToString()));
    await store.ReplaceSecretsAsync(SecretScopes.WhatsApp, values, CancellationToken.None);
    await store.EnqueueAsync("outbox", $"m{n}", Encoding.ASCII.GetBytes($"message {n}"), CancellationToken.None);
    await store.SetSettingAsync("next", (n + 1).ToString(), CancellationToken.None);
    Console.Out.WriteLine(n);
    Console.Out.Flush();
}
