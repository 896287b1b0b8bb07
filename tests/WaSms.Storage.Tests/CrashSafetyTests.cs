using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using WaSms.WhatsApp.Signal;

namespace WaSms.Storage.Tests;

/// <summary>
/// kill -9 a process that is writing credentials and queue items, or inbound messages with their
/// Signal changes, many times over, and prove that every committed write survived and no half-written
/// set is ever seen.
/// </summary>
public sealed class CrashSafetyTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    internal static string WriterPath()
    {
        var testDir = AppContext.BaseDirectory; // tests/WaSms.Storage.Tests/bin/<Config>/net10.0/
        var configuration = new DirectoryInfo(testDir).Parent!.Name;
        var path = Path.GetFullPath(Path.Combine(testDir, "..", "..", "..", "..", "WaSms.Storage.CrashWriter", "bin", configuration, "net10.0", "WaSms.Storage.CrashWriter.dll"));
        Assert.True(File.Exists(path), $"crash writer not built at {path}");
        return path;
    }

    [Fact]
    public async Task KillDuringWrites_CommittedDataSurvivesAndNothingIsTorn()
    {
        var writer = WriterPath();
        var random = new Random(20261125);
        var lastCommitted = 0;
        var delivered = new HashSet<string>();
        for (var round = 0; round < 6; round++)
        {
            var printed = await RunAndKillAsync([writer, _dir.Path], lastCommitted + random.Next(5, 60));

            await using var store = await GatewayStore.OpenAsync(_dir.Path, TimeProvider.System, NullLogger.Instance, CancellationToken.None);
            Assert.Null(store.MovedAsideTo);

            var secrets = await store.GetSecretsAsync(SecretScopes.WhatsApp, CancellationToken.None);
            Assert.Equal(10, secrets.Count);
            var versions = secrets.Values.Select(v => int.Parse(Encoding.ASCII.GetString(v), System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToList();
            Assert.Single(versions); // never a mix of two commits
            Assert.True(versions[0] >= printed, $"commit {printed} was reported but the store holds {versions[0]}");

            var queued = new List<string>();
            IReadOnlyList<QueueItem> batch;
            while ((batch = await store.TakeAsync("outbox", 500, CancellationToken.None)).Count > 0)
            {
                queued.AddRange(batch.Select(b => b.DedupKey));
                await store.AckAsync(batch.Select(b => b.Id), CancellationToken.None);
            }
            foreach (var key in queued)
            {
                Assert.True(delivered.Add(key), $"{key} was delivered twice"); // dedup holds across crashes
            }
            Assert.Contains($"m{printed}", delivered); // the last reported item was not lost
            lastCommitted = printed;
        }
    }

    [Fact]
    public async Task KillDuringInboundCommits_EveryMessageHasItsSessionChange_AndTheStreamHasNoGapOrRepeat()
    {
        var writer = WriterPath();
        var random = new Random(20261202);
        var printed = 0;
        for (var round = 0; round < 4; round++)
        {
            printed = await RunAndKillAsync([writer, "messages", _dir.Path], printed + random.Next(5, 80));

            await using var store = await GatewayStore.OpenAsync(_dir.Path, TimeProvider.System, NullLogger.Instance, CancellationToken.None);
            Assert.Null(store.MovedAsideTo);
            var messages = new WhatsAppMessageStore(store);
            var events = await messages.ReadEventsAsync(0, 100_000, CancellationToken.None);
            // Message n is event n: none lost, none twice, no cursor skipped or repeated.
            Assert.Equal(Enumerable.Range(1, events.Count).Select(n => (long)n), events.Select(e => e.Cursor));
            Assert.Equal(Enumerable.Range(1, events.Count).Select(n => n.ToString(CultureInfo.InvariantCulture)), events.Select(e => e.Message?.Text));
            Assert.True(events.Count >= printed, $"message {printed} was reported committed but the stream ends at {events.Count}");

            // Each device's session is the one of the last stored message for it: never a ratchet
            // step without its message, never a message without its step.
            var signal = new WhatsAppSignalStore(store);
            for (var device = 0u; device < 5; device++)
            {
                var expected = Enumerable.Range(1, events.Count).LastOrDefault(n => n % 5 == device);
                var session = (await signal.LoadSessionsAsync([new SignalAddress("peer", device)], CancellationToken.None)).GetValueOrDefault(new SignalAddress("peer", device));
                Assert.Equal(expected == 0 ? null : expected.ToString(CultureInfo.InvariantCulture), session is null ? null : Encoding.ASCII.GetString(session));
            }
            printed = events.Count;
        }
    }

    [Fact]
    public async Task KillDuringLateResends_EachPlaceholderIsReplacedExactlyOnce_WithItsSessionStep()
    {
        var writer = WriterPath();
        var random = new Random(20261203);
        var printed = 0;
        for (var round = 0; round < 4; round++)
        {
            printed = await RunAndKillAsync([writer, "late", _dir.Path], printed + random.Next(5, 60));

            await using var store = await GatewayStore.OpenAsync(_dir.Path, TimeProvider.System, NullLogger.Instance, CancellationToken.None);
            var messages = new WhatsAppMessageStore(store);
            var events = await messages.ReadEventsAsync(0, 100_000, CancellationToken.None);
            var perMessage = events.GroupBy(e => int.Parse(e.Message!.Id[1..], CultureInfo.InvariantCulture)).ToDictionary(g => g.Key, g => g.Count());
            var highest = perMessage.Keys.Max();
            Assert.Equal(Enumerable.Range(1, highest), perMessage.Keys.Order());
            // Every message reported done has its placeholder event and exactly one replacement event; only the
            // one the kill interrupted may lack its replacement (the writer gives it on the next run).
            Assert.All(perMessage.Where(p => p.Key < highest), p => Assert.Equal(2, p.Value));
            Assert.InRange(perMessage[highest], 1, 2);
            Assert.True(highest >= printed && perMessage[printed] == 2, $"message {printed} was reported replaced but the stream holds {perMessage.GetValueOrDefault(printed)} events for it");

            var signal = new WhatsAppSignalStore(store);
            for (var device = 0u; device < 5; device++)
            {
                var expected = Enumerable.Range(1, highest).LastOrDefault(n => n % 5 == device);
                var session = (await signal.LoadSessionsAsync([new SignalAddress("peer", device)], CancellationToken.None)).GetValueOrDefault(new SignalAddress("peer", device));
                var want = expected == 0 ? null : expected.ToString(CultureInfo.InvariantCulture) + (perMessage[expected] == 2 ? string.Empty : "p");
                Assert.Equal(want, session is null ? null : Encoding.ASCII.GetString(session));
            }
            Assert.All(events.Where(e => perMessage[int.Parse(e.Message!.Id[1..], CultureInfo.InvariantCulture)] == 2), e => Assert.Equal("text", e.Message!.Type));
            printed = highest;
        }
    }

    /// <summary>Runs the writer with <paramref name="arguments"/> until it reported commit <paramref name="killAfter"/>, then kill -9; returns the last reported.</summary>
    internal static async Task<int> RunAndKillAsync(string[] arguments, int killAfter)
    {
        var psi = new ProcessStartInfo("dotnet", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        var printed = 0;
        while (printed < killAfter)
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            if (line is null)
            {
                Assert.Fail("writer died: " + await process.StandardError.ReadToEndAsync());
            }
            printed = int.Parse(line, CultureInfo.InvariantCulture);
        }
        process.Kill(); // SIGKILL: no finally blocks, no flush, no clean close
        await process.WaitForExitAsync();
        return printed;
    }
}
