using System.Globalization;
using System.Text.Json;
using WaSms.Emulators.WhatsApp;

namespace WaSms.Gateway.Tests.Messaging;

/// <summary>
/// Issue #11's crash test: the real gateway process, linked to the emulator in this process (which
/// outlives every kill), is killed with SIGKILL at seeded random points while the emulated contacts
/// send it texts (1:1 and in the group "Team") and the test submits sends through the control socket.
/// After the last restart, with the queues drained: every inbound text is in the API stream exactly
/// once, every send has exactly one job (a caller id resubmitted after a kill gives the same job) and
/// one final state, each contact received each send once, and fresh texts both ways still decrypt.
/// CI runs a short version; <c>scripts/soak-messaging</c> runs it long through the environment:
/// <c>WASMS_CRASH_SEED</c>, <c>WASMS_CRASH_MESSAGES</c> (inbound + sends) and <c>WASMS_CRASH_KILLS</c>.
/// </summary>
public sealed class MessagingCrashTests(ITestOutputHelper output) : IDisposable
{
    private const string Account = "+15557650000";
    private const string Alice = "+15555550100";
    private const string Bob = "+15555550101";

    private static readonly string[] FinalStates = ["sent", "delivered", "read", "failed"];

    private readonly TempDirectory _dir = new();
    private readonly List<string> _gatewayLogs = [];

    public void Dispose() => _dir.Dispose();

    private string State => _dir.File("state");

    private static int EnvInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    /// <summary>One step of the run: a contact's text (from, group or null) or one of our sends (to, caller id).</summary>
    private sealed record Step(bool Inbound, string Party, string? Group, string Text);

    [Fact]
    public async Task KilledAtRandomWhileMessagesFlow_NoLossNoDuplicateAndSessionsStillDecrypt()
    {
        var seed = EnvInt("WASMS_CRASH_SEED", Random.Shared.Next(1, int.MaxValue));
        var total = EnvInt("WASMS_CRASH_MESSAGES", 160);
        var kills = EnvInt("WASMS_CRASH_KILLS", 3);
        output.WriteLine($"crash test: seed {seed} (WASMS_CRASH_SEED), {total} messages, {kills} kills");
        var random = new Random(seed);

        await using var emulator = new WaEmulator();
        emulator.Start();
        emulator.Contacts.AddDevDefaults(Account);
        var team = emulator.Contacts.Groups.Single(g => g.Subject == "Team").Jid;

        var gateway = StartGateway(emulator, out var notify);
        try
        {
            await LinkAsync(gateway, notify, emulator);

            var steps = Enumerable.Range(0, total).Select(i => random.Next(4) switch
            {
                0 => new Step(true, Alice, null, $"in-{i} from Alice"),
                1 => new Step(true, random.Next(2) == 0 ? Alice : Bob, team, $"in-{i} to Team"),
                2 => new Step(false, random.Next(3) switch { 0 => Alice, 1 => Bob, _ => team }, null, $"out-{i}"),
                _ => new Step(true, Bob, null, $"in-{i} from Bob"),
            }).ToList();
            var killAt = new SortedSet<int>();
            while (killAt.Count < kills)
            {
                killAt.Add(random.Next(1, total));
            }
            output.WriteLine($"kills during steps {string.Join(", ", killAt.Order())}");

            var inbound = new List<string>();
            var submitted = new Dictionary<string, (string To, string Text, List<string> Ids)>(StringComparer.Ordinal);
            var deferred = new List<string>();
            int? restartAfter = null;
            var killed = 0;
            async Task RunStepAsync(int i, bool up)
            {
                var step = steps[i];
                if (step.Inbound)
                {
                    var id = step.Group is null
                        ? await emulator.Contacts.SayAsync(step.Party, step.Text, CancellationToken.None)
                        : await emulator.Contacts.GroupSayAsync(step.Group, step.Party, step.Text, CancellationToken.None);
                    lock (inbound)
                    {
                        inbound.Add(id);
                    }
                    return;
                }
                var callerId = "crash-" + i.ToString(CultureInfo.InvariantCulture);
                submitted[callerId] = (step.Party, step.Text, []);
                if (!up || !await SubmitAsync(callerId, submitted[callerId]))
                {
                    deferred.Add(callerId);
                }
            }

            async Task<GatewayProcess> RestartAsync()
            {
                var started = StartGateway(emulator, out notify);
                await WaitOnlineAsync(started, notify);
                // A send whose answer the kill cut off goes again with its caller id: it must find its job.
                foreach (var callerId in deferred.ToList())
                {
                    if (await SubmitAsync(callerId, submitted[callerId]))
                    {
                        deferred.Remove(callerId);
                    }
                }

                return started;
            }

            for (var i = 0; i < steps.Count; i++)
            {
                if (killAt.Contains(i))
                {
                    // Still down from the last kill: back early, so every planned kill is a real one.
                    gateway ??= await RestartAsync();

                    killed++;
                    // The kill lands while this step is in flight: a send's answer may be cut off, a text half-processed.
                    var step = RunStepAsync(i, up: true);
                    await Task.Delay(random.Next(0, 20));
                    gateway.Signal("KILL");
                    await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30));
                    await step;
                    Retire(gateway, notify);
                    gateway = null;
                    // Down for a few steps: the contacts' texts wait on the server, our sends wait for the socket.
                    restartAfter = i + random.Next(0, 4);
                }
                else
                {
                    await RunStepAsync(i, up: gateway is not null);
                }
                if (gateway is null && (i >= restartAfter || i == steps.Count - 1))
                {
                    gateway = await RestartAsync();
                }
            }
            Assert.NotNull(gateway);
            Assert.Equal(kills, killed);
            Assert.Empty(deferred);

            // Every caller id once more: always the job it got the first time.
            foreach (var (callerId, send) in submitted)
            {
                Assert.True(await SubmitAsync(callerId, send), callerId);
                Assert.True(send.Ids.Distinct().Count() == 1, $"{callerId} got jobs {string.Join(", ", send.Ids)}");
            }
            var jobs = submitted.ToDictionary(s => s.Value.Ids[0], s => s.Value.To, StringComparer.Ordinal);

            var events = await WaitForStreamAsync(gateway, inbound, jobs.Keys, TimeSpan.FromSeconds(60 + total));
            AssertStream(events, inbound, submitted);
            var copies = AssertInboxes(emulator, jobs, events, team);

            // After the last restart, the sessions (pairwise and the group's sender keys) still work both ways.
            var fresh = new List<string>
            {
                await emulator.Contacts.SayAsync(Alice, "fresh from Alice", CancellationToken.None),
                await emulator.Contacts.SayAsync(Bob, "fresh from Bob", CancellationToken.None),
                await emulator.Contacts.GroupSayAsync(team, Bob, "fresh to Team", CancellationToken.None),
            };
            var freshSends = new Dictionary<string, (string To, string Text, List<string> Ids)>(StringComparer.Ordinal)
            {
                ["fresh-alice"] = (Alice, "fresh to Alice", []),
                ["fresh-bob"] = (Bob, "fresh to Bob", []),
                ["fresh-team"] = (team, "fresh to the Team", []),
            };
            foreach (var (callerId, send) in freshSends)
            {
                Assert.True(await SubmitAsync(callerId, send), callerId);
                jobs[send.Ids[0]] = send.To;
            }
            events = await WaitForStreamAsync(gateway, [.. inbound, .. fresh], jobs.Keys, TimeSpan.FromSeconds(60));
            AssertStream(events, [.. inbound, .. fresh], submitted.Concat(freshSends).ToDictionary(StringComparer.Ordinal));
            AssertInboxes(emulator, jobs, events, team);
            var texts = events.Where(e => e.Kind == "message").ToDictionary(e => e.Id, StringComparer.Ordinal);
            Assert.Equal(["fresh from Alice", "fresh from Bob", "fresh to Team"], fresh.Select(id => texts[id].Text));
            Assert.All(freshSends.Values, s => Assert.NotEqual("failed", events.Last(e => e.Kind == "status" && e.Id == s.Ids[0]).Status));

            Retire(gateway, notify);
            var logs = string.Join('\n', _gatewayLogs);
            Assert.DoesNotContain("Bad MAC", logs, StringComparison.OrdinalIgnoreCase);
            var failed = events.Where(e => e.Kind == "status" && e.Status == "failed").Select(e => e.Id).Distinct().Count();
            output.WriteLine($"crash test passed: seed {seed}, {inbound.Count} inbound, {submitted.Count} sends ({failed} failed), " +
                $"{killed} kills, {_gatewayLogs.Count} gateway runs, {copies} sends delivered again under their id after a kill");
            gateway = null;
        }
        finally
        {
            if (gateway is not null)
            {
                Retire(gateway, notify);
            }
        }
    }

    private GatewayProcess StartGateway(WaEmulator emulator, out NotifyListener notify)
    {
        notify = new NotifyListener();
        return GatewayProcess.Start(
            ["run", "--simulate", "--state-dir", State, $"--WhatsApp:ServerUrl={emulator.Uri}", $"--WhatsApp:TrustedRootKey={emulator.TrustedRootKeyHex}",
                "--Pacing:MinGap=00:00:00", "--Pacing:MaxGap=00:00:00"], // no acceptable-use gap: this test is about kills, not pacing
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path });
    }

    /// <summary>Keeps the process's log for the Bad MAC check and the failure report, then disposes it.</summary>
    private void Retire(GatewayProcess gateway, NotifyListener notify)
    {
        gateway.Dispose();
        notify.Dispose();
        _gatewayLogs.Add(gateway.Output + gateway.Error);
        output.WriteLine($"--- gateway run {_gatewayLogs.Count}: {gateway.Output.Split('\n').Length} log lines");
    }

    private async Task LinkAsync(GatewayProcess gateway, NotifyListener notify, WaEmulator emulator)
    {
        await notify.WaitForAsync(m => m == "STATUS=unpaired: Scan the QR code with WhatsApp", TimeSpan.FromSeconds(30));
        var (_, status, _) = await CliAsync("status", "--json");
        using var json = JsonDocument.Parse(status);
        var qr = json.RootElement.GetProperty("pairing").GetProperty("qr").GetString()!;
        await new PhoneSimulator(emulator, Account[1..]).ScanAsync(qr, CancellationToken.None);
        await WaitOnlineAsync(gateway, notify);
        await Eventually.UntilAsync(() => gateway.Output.Contains("Uploaded 812 prekeys", StringComparison.Ordinal), TimeSpan.FromSeconds(30),
            "the prekey upload", () => gateway.Output + gateway.Error);
    }

    private static async Task WaitOnlineAsync(GatewayProcess gateway, NotifyListener notify)
    {
        try
        {
            await notify.WaitForAsync(m => m == "STATUS=online: Online", TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"gateway not online\nstdout:\n{gateway.Output}\nstderr:\n{gateway.Error}", ex);
        }
    }

    private Task<(int Code, string Output, string Error)> CliAsync(params string[] args) => InProcessCli.RunAsync([.. args, "--state-dir", State]);

    /// <summary>Submits a send with its caller id; false when the gateway did not answer (killed or not up).</summary>
    private async Task<bool> SubmitAsync(string callerId, (string To, string Text, List<string> Ids) send)
    {
        var (code, id, error) = await CliAsync("send", send.To, send.Text, "--id", callerId, "--no-wait");
        if (code != 0)
        {
            output.WriteLine($"send {callerId}: exit {code}: {error.Trim()}");
            return false;
        }
        send.Ids.Add(id.Trim());
        return true;
    }

    private async Task<List<EventReport>> ReadStreamAsync()
    {
        var (code, stream, error) = await CliAsync("messages", "--json");
        Assert.True(code == 0, error);
        return [.. stream.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(EventReport.Parse)];
    }

    /// <summary>What the test reads of one <c>messages --json</c> line.</summary>
    private sealed record EventReport(string Kind, string Id, string? Type, string? Text, string? Status, string? Reason, string? CallerId)
    {
        public static EventReport Parse(string line)
        {
            using var json = JsonDocument.Parse(line);
            var e = json.RootElement;
            string? Get(string name) => e.TryGetProperty(name, out var value) ? value.GetString() : null;
            return new EventReport(Get("kind")!, Get("id")!, Get("type"), Get("text"), Get("status"), Get("reason"), Get("callerId"));
        }
    }

    /// <summary>The stream once it holds every inbound id and a final state for every job.</summary>
    private async Task<List<EventReport>> WaitForStreamAsync(GatewayProcess gateway, IReadOnlyCollection<string> inbound, IEnumerable<string> jobs, TimeSpan timeout)
    {
        List<EventReport> events = [];
        var missing = "";
        await Eventually.UntilAsync(
            async () =>
            {
                events = await ReadStreamAsync();
                var seen = events.Where(e => e.Kind == "message").Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
                var last = events.Where(e => e.Kind == "status").GroupBy(e => e.Id).ToDictionary(g => g.Key, g => g.Last().Status, StringComparer.Ordinal);
                var open = jobs.Where(j => !last.TryGetValue(j, out var s) || !FinalStates.Contains(s)).ToList();
                missing = $"inbound missing: {string.Join(", ", inbound.Where(i => !seen.Contains(i)))}; sends not final: {string.Join(", ", open)}";
                return inbound.All(seen.Contains) && open.Count == 0;
            },
            timeout, "every inbound text stored and every send final", () => missing + "\n" + gateway.Output + gateway.Error);
        return events;
    }

    private static void AssertStream(List<EventReport> events, IReadOnlyCollection<string> inbound, Dictionary<string, (string To, string Text, List<string> Ids)> submitted)
    {
        var messages = events.Where(e => e.Kind == "message").ToList();
        Assert.Empty(messages.GroupBy(e => e.Id).Where(g => g.Count() > 1).Select(g => g.Key)); // no inbound stored twice
        Assert.Empty(messages.Where(e => e.Type == "undecryptable").Select(e => e.Id));
        Assert.Equal(inbound.Order(StringComparer.Ordinal), messages.Select(e => e.Id).Where(inbound.Contains).Order(StringComparer.Ordinal));

        var statuses = events.Where(e => e.Kind == "status").GroupBy(e => e.Id).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        // One job per caller id, and no job the test did not submit.
        Assert.Equal(submitted.Values.Select(s => s.Ids[0]).Order(StringComparer.Ordinal), statuses.Keys.Order(StringComparer.Ordinal));
        foreach (var (callerId, send) in submitted)
        {
            var history = statuses[send.Ids[0]];
            Assert.All(history, e => Assert.Equal(callerId, e.CallerId));
            var final = history.Where(e => e.Status != "pending").Select(e => e.Status).ToList();
            Assert.True(!final.Contains("failed") || final.Count == 1, $"{callerId}: {string.Join(" → ", final)}"); // failed is the only state, or never
            Assert.True(final.Count(s => s == "sent") <= 1, $"{callerId}: {string.Join(" → ", final)}");
            Assert.Contains(history[^1].Status, FinalStates);
            if (history[^1].Status == "failed")
            {
                Assert.False(string.IsNullOrEmpty(history[^1].Reason), $"{callerId} failed without a reason");
            }
        }
    }

    /// <summary>
    /// Each contact holds each send addressed to it (1:1 or through the group), a failed one never. A job
    /// whose server ack a kill cut off goes again under the same id (§6.5), which a phone drops as a
    /// duplicate by id (§2); the emulated phone keeps every copy, so copies beyond one are counted (at
    /// most one per gateway run), not failed.
    /// </summary>
    /// <returns>How many copies beyond the first the phones got.</returns>
    private int AssertInboxes(WaEmulator emulator, Dictionary<string, string> jobs, List<EventReport> events, string team)
    {
        var failed = events.Where(e => e.Kind == "status" && e.Status == "failed").Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        var copies = 0;
        foreach (var contact in new[] { Alice, Bob })
        {
            var inbox = emulator.Contacts.Inbox(contact).GroupBy(m => m.Id).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            foreach (var (job, to) in jobs.Where(j => j.Value == contact || j.Value == team))
            {
                var held = inbox.GetValueOrDefault(job);
                Assert.True(failed.Contains(job) ? held == 0 : held >= 1 && held <= _gatewayLogs.Count + 1, $"{contact} holds {job} (to {to}) {held} times");
                copies += Math.Max(0, held - 1);
            }
        }
        return copies;
    }
}
