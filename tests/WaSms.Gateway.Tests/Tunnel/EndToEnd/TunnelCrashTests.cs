using WaSms.Gateway.Tunnel.Sync;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace WaSms.Gateway.Tests.Tunnel.EndToEnd;

/// <summary>
/// Issue #12's crash test: the real gateway process (<see cref="TunnelEndToEnd"/>) is killed with SIGKILL at
/// seeded random points while texts flow both ways — emulated contacts → WhatsApp emulator → gateway →
/// platform emulator (<c>event</c>s, stored in <c>wa.received</c>), and <c>POST /api/send/whatsapp</c> →
/// platform → gateway (<c>send</c> jobs) → contacts' phones — and the platform emulator itself is killed
/// with SIGKILL mid-stream and restarted on its data directory. Afterwards: the platform holds every
/// inbound text exactly once; every job is listed once with one final state (never both sent and failed),
/// and the gateway's own stream reports it sent at most once; each contact holds each job's text at least
/// once and at most once per gateway run — a job whose WhatsApp server ack a kill cut off goes again under
/// the same message id, which a real phone drops as a duplicate (the rule of issue #11's crash test, see
/// MessagingCrashTests.AssertInboxes) — and a failed job never.
/// <para>
/// The issue asks for 10,000 messages and ≥ 20 kills in CI. The default test run (scripts/test) has
/// <see cref="CiMessages"/> messages with 20 gateway kills and 2 platform kills (about 2 minutes); CI then
/// runs <c>scripts/soak-tunnel 10000 20</c> as its own step, the issue's 10,000 messages with 20 kills.
/// <c>scripts/soak-tunnel [messages] [kills] [seed]</c> runs any size (default 10,000 messages and 1,000 kills) through <c>WASMS_TUNNEL_CRASH_SEED</c>,
/// <c>WASMS_TUNNEL_CRASH_MESSAGES</c> and <c>WASMS_TUNNEL_CRASH_KILLS</c>.
/// </para>
/// </summary>
public sealed class TunnelCrashTests(ITestOutputHelper output)
{
    /// <summary>The largest count that keeps this test near 2 minutes on CI's 2 cores (see the class comment).</summary>
    public const int CiMessages = 2000;

    private static readonly string[] FinalStates = ["sent", "delivered", "read", "failed"];

    private static int EnvInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    /// <summary>One step: a contact's text (from; group or null) or a platform job (to).</summary>
    private sealed record Step(bool Inbound, string Party, string? Group, string Text);

    [Fact]
    public async Task GatewayAndPlatformKilledAtRandom_2000Messages20Kills_EveryMessageOnceEveryJobOneFinalState()
    {
        var seed = EnvInt("WASMS_TUNNEL_CRASH_SEED", Random.Shared.Next(1, int.MaxValue));
        var total = EnvInt("WASMS_TUNNEL_CRASH_MESSAGES", CiMessages);
        var kills = Math.Min(EnvInt("WASMS_TUNNEL_CRASH_KILLS", 20), total - 1);
        output.WriteLine($"tunnel crash test: seed {seed} (WASMS_TUNNEL_CRASH_SEED), {total} messages, {kills} gateway kills, 2 platform kills");
        var random = new Random(seed);

        await using var bed = await TunnelEndToEnd.StartAsync(output);
        var team = bed.Team;
        var steps = Enumerable.Range(0, total).Select(i => random.Next(4) switch
        {
            0 => new Step(true, TunnelEndToEnd.Alice, null, $"in-{i} from Alice"),
            1 => new Step(true, random.Next(2) == 0 ? TunnelEndToEnd.Alice : TunnelEndToEnd.Bob, team, $"in-{i} to Team"),
            2 => new Step(false, random.Next(3) switch { 0 => TunnelEndToEnd.Alice, 1 => TunnelEndToEnd.Bob, _ => team }, null, $"out-{i}"),
            _ => new Step(true, TunnelEndToEnd.Bob, null, $"in-{i} from Bob"),
        }).ToList();
        var gatewayKills = new SortedSet<int>();
        while (gatewayKills.Count < kills)
        {
            gatewayKills.Add(random.Next(1, total));
        }
        var platformKills = new SortedSet<int>();
        var inboundSteps = Enumerable.Range(1, total - 1).Count(i => steps[i].Inbound && !gatewayKills.Contains(i));
        while (platformKills.Count < Math.Min(2, inboundSteps))
        {
            if (random.Next(1, total) is var at && steps[at].Inbound && !gatewayKills.Contains(at))
            {
                platformKills.Add(at);
            }
        }
        output.WriteLine($"gateway kills during steps {string.Join(", ", gatewayKills)}; platform kills during steps {string.Join(", ", platformKills)}");

        var inbound = new List<string>();
        var jobs = new Dictionary<string, Step>(StringComparer.Ordinal); // jobId → its step
        var deferred = new List<Step>();   // jobs not posted while the platform was down
        int? gatewayBackAfter = null, platformBackAfter = null;
        var killed = 0; // gateway processes killed with SIGKILL

        async Task RunStepAsync(Step step)
        {
            if (step.Inbound)
            {
                var id = step.Group is null
                    ? await bed.WhatsApp.Contacts.SayAsync(step.Party, step.Text, CancellationToken.None)
                    : await bed.WhatsApp.Contacts.GroupSayAsync(step.Group, step.Party, step.Text, CancellationToken.None);
                lock (inbound)
                {
                    inbound.Add(id);
                }
            }
            else if (bed.Platform is null)
            {
                deferred.Add(step);
            }
            else
            {
                jobs.Add(await PostAsync(bed, step), step);
            }
        }

        for (var i = 0; i < steps.Count; i++)
        {
            if (gatewayKills.Contains(i))
            {
                if (bed.Gateway is null)
                {
                    // Still down from the last kill: back early, so every planned kill is a real one.
                    bed.StartGateway();
                    await bed.WaitOnlineAsync();
                }

                killed++;
                // The kill lands while this step is in flight: a job half-stored, an event sent but not acked, a text half-decrypted.
                var inFlight = RunStepAsync(steps[i]);
                await Task.Delay(random.Next(0, 20));
                await bed.KillGatewayAsync();
                await inFlight;
                gatewayBackAfter = i + random.Next(0, 4); // down for a few steps: texts wait on the WhatsApp server, jobs on the platform
            }
            else if (platformKills.Contains(i) && bed.Platform is not null && steps[i].Inbound)
            {
                // The platform dies while the gateway streams to it (this text's event among others in flight).
                var inFlight = RunStepAsync(steps[i]);
                await Task.Delay(random.Next(0, 20));
                bed.KillPlatform();
                await inFlight;
                platformBackAfter = i + random.Next(0, 4);
            }
            else
            {
                await RunStepAsync(steps[i]);
            }
            if (bed.Platform is null && (i >= platformBackAfter || i == steps.Count - 1))
            {
                await bed.StartPlatformAsync();
                foreach (var step in deferred)
                {
                    jobs.Add(await PostAsync(bed, step), step);
                }
                deferred.Clear();
            }
            if (bed.Gateway is null && (i >= gatewayBackAfter || i == steps.Count - 1))
            {
                bed.StartGateway();
                await bed.WaitOnlineAsync();
            }
        }

        var (received, sent) = await WaitForPlatformAsync(bed, inbound, jobs.Keys, TimeSpan.FromSeconds(120 + total / 20));

        // Every inbound text exactly once, nothing the contacts did not send.
        var duplicates = received.GroupBy(r => (string)r["id"]!).Where(g => g.Count() > 1).Select(g => $"{g.Key} ×{g.Count()}").ToList();
        Assert.True(duplicates.Count == 0, $"stored more than once: {string.Join(", ", duplicates)}");
        Assert.Equal(inbound.Order(StringComparer.Ordinal), received.Select(r => (string)r["id"]!).Order(StringComparer.Ordinal));

        // Every job listed once, with one final state; a failed one was never sent, and says why.
        Assert.Equal(jobs.Keys.Order(StringComparer.Ordinal), sent.Select(j => (string)j["id"]!).Order(StringComparer.Ordinal));
        foreach (var job in sent)
        {
            var id = (string)job["id"]!;
            Assert.Contains((string?)job["status"], FinalStates);
            Assert.Equal(jobs[id].Text, (string?)job["message"]);
            if ((string?)job["status"] == "failed")
            {
                Assert.True(job["sent"] is null && !string.IsNullOrEmpty((string?)job["reason"]), $"job {id} failed: {job.ToJsonString()}");
            }
            else
            {
                Assert.True(job["failed"] is null && job["messageId"] is not null, $"job {id}: {job.ToJsonString()}");
            }
        }
        await AssertGatewayStreamAsync(bed, jobs.Keys);
        var copies = AssertInboxes(bed, sent, jobs);

        Assert.Equal(kills, killed);
        Assert.Equal(kills + 1, bed.GatewayRuns);
        Assert.DoesNotContain("Bad MAC", bed.GatewayLogs(), StringComparison.OrdinalIgnoreCase);
        var failed = sent.Count(j => (string?)j["status"] == "failed");
        output.WriteLine($"tunnel crash test passed: seed {seed}, {inbound.Count} inbound, {jobs.Count} jobs ({failed} failed), {killed} gateway kills, " +
            $"{platformKills.Count} platform kills, {bed.GatewayRuns} gateway runs, {copies} sends delivered again under their id after a kill");
    }

    private static async Task<string> PostAsync(TunnelEndToEnd bed, Step step)
    {
        var answer = await bed.Api.PostFormAsync("send/whatsapp", ("account", bed.Unique), ("recipient", step.Party), ("type", "text"),
            ("message", step.Text), ("priority", "2"));
        Assert.True((int?)answer["status"] == 200, answer.ToJsonString());
        return (string)answer["data"]!["id"]!;
    }

    /// <summary>The platform's lists once every inbound id is stored and every job has a final state.</summary>
    private static async Task<(List<JsonObject> Received, List<JsonObject> Sent)> WaitForPlatformAsync(
        TunnelEndToEnd bed, IReadOnlyCollection<string> inbound, IEnumerable<string> jobs, TimeSpan timeout)
    {
        List<JsonObject> received = [], sent = [];
        var missing = "";
        await Eventually.UntilAsync(
            async () =>
            {
                received = await bed.ListAllAsync("get/wa.received");
                sent = await bed.ListAllAsync("get/wa.sent");
                var seen = received.Select(r => (string)r["id"]!).ToHashSet(StringComparer.Ordinal);
                var states = sent.ToDictionary(j => (string)j["id"]!, j => (string?)j["status"], StringComparer.Ordinal);
                var open = jobs.Where(j => !states.TryGetValue(j, out var s) || !FinalStates.Contains(s)).ToList();
                var lost = inbound.Where(i => !seen.Contains(i)).ToList();
                missing = $"inbound not on the platform ({lost.Count}): {string.Join(", ", lost.Take(20))}; jobs not final ({open.Count}): {string.Join(", ", open.Take(20))}";
                return lost.Count == 0 && open.Count == 0;
            },
            timeout, "every inbound text on the platform and every job final", () => missing + "\n" + bed.Logs()[^Math.Min(bed.Logs().Length, 20000)..]);
        return (received, sent);
    }

    /// <summary>The gateway's own stream: each job reported sent at most once, and failed only alone.</summary>
    private static async Task AssertGatewayStreamAsync(TunnelEndToEnd bed, IEnumerable<string> jobs)
    {
        var (code, stream, error) = await bed.CliAsync("messages", "--json");
        Assert.True(code == 0, error);
        var history = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var line in stream.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var json = JsonDocument.Parse(line);
            var e = json.RootElement;
            if (e.GetProperty("kind").GetString() == "status" && e.TryGetProperty("callerId", out var caller) && caller.GetString() is { } callerId)
            {
                // A platform job is stored as "platform:<gatewayId>:<jobId>" (docs/tunnel.md §10).
                var jobId = callerId.StartsWith(PlatformJobIds.Prefix, StringComparison.Ordinal)
                    ? callerId[(callerId.IndexOf(':', PlatformJobIds.Prefix.Length) + 1)..]
                    : callerId;
                (history.TryGetValue(jobId, out var list) ? list : history[jobId] = []).Add(e.GetProperty("status").GetString()!);
            }
        }
        foreach (var job in jobs)
        {
            Assert.True(history.TryGetValue(job, out var states), $"job {job} has no status in the gateway's stream");
            var final = states.Where(s => s != "pending").ToList();
            Assert.True(final.Count(s => s == "sent") <= 1, $"{job}: {string.Join(" → ", final)}");
            Assert.True(!final.Contains("failed") || final.Count == 1, $"{job}: {string.Join(" → ", final)}");
        }
    }

    /// <summary>Each contact holds each job addressed to it (1:1 or through the group) once per gateway run at most; a failed job never.</summary>
    /// <returns>How many copies beyond the first the phones got.</returns>
    private static int AssertInboxes(TunnelEndToEnd bed, List<JsonObject> sent, Dictionary<string, Step> jobs)
    {
        var copies = 0;
        foreach (var contact in new[] { TunnelEndToEnd.Alice, TunnelEndToEnd.Bob })
        {
            var inbox = bed.WhatsApp.Contacts.Inbox(contact).GroupBy(m => m.Id).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
            foreach (var job in sent.Where(j => (string?)j["recipient"] == contact || (string?)j["recipient"] == bed.Team))
            {
                var id = (string)job["id"]!;
                var messageId = (string?)job["messageId"];
                var held = messageId is not null && inbox.TryGetValue(messageId, out var got) ? got : [];
                var ok = (string?)job["status"] == "failed" ? held.Count == 0 : held.Count >= 1 && held.Count <= bed.GatewayRuns;
                Assert.True(ok, $"{contact} holds job {id} ({messageId}, {job["status"]}) {held.Count} times");
                Assert.All(held, m => Assert.Equal(jobs[id].Text, m.Text));
                copies += Math.Max(0, held.Count - 1);
            }
        }
        return copies;
    }
}
