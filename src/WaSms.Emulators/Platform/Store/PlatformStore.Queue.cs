using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using WaSms.Emulators.Platform.Protocol;

namespace WaSms.Emulators.Platform.Store;

/// <summary>A send job as the platform tracks it: what was asked and the time of each state reached.</summary>
public sealed record SentJob(
    string Unique, string JobId, long Seq, string Recipient, string Text, int Priority, string State, string? Reason, string? MessageId,
    string Created, string? AcceptedAt, string? SentAt, string? DeliveredAt, string? ReadAt, string? FailedAt);

/// <summary>A command sent to a gateway and its result, once answered.</summary>
public sealed record SentCommand(string Unique, string Id, long Seq, string Name, string Args, string Created, bool? Ok, string? Error, string? Message, string? Data, string? ResultAt);

/// <summary>An inbound message as stored: the event's <c>message</c> object, once per WhatsApp id.</summary>
public sealed record ReceivedMessage(string Unique, long Cursor, string Json, string Stored);

/// <summary>The reliable frames (jobs and commands, one <c>seq</c> per gateway) and the event stream.</summary>
public sealed partial class PlatformStore
{
    private static readonly string[] JobStates = ["accepted", "sent", "delivered", "read", "failed"];

    /// <summary>Queues a text job for the gateway: the next <c>seq</c> and a <c>send</c> frame, committed before it returns.</summary>
    public Task<(string JobId, long Seq)> EnqueueJobAsync(string gatewayId, string recipient, string text, int priority, CancellationToken cancellationToken) =>
        Transaction(async () =>
        {
            var seq = await NextSeqAsync(gatewayId, cancellationToken);
            var jobId = (await NextCounterAsync("job", cancellationToken)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await NonQueryAsync("INSERT INTO jobs (gateway_id, job_id, seq, recipient, text, priority, state, created) VALUES ($g, $j, $s, $r, $x, $p, 'queued', $t)",
                [("$g", gatewayId), ("$j", jobId), ("$s", seq), ("$r", recipient), ("$x", text), ("$p", priority), ("$t", Now())], cancellationToken);
            await AddOutboxAsync(gatewayId, seq, PlatformFrames.Send(seq, jobId, recipient, text, priority), cancellationToken);
            return (jobId, seq);
        }, cancellationToken);

    /// <summary>Queues a command for the gateway (docs/tunnel.md §7.1) and returns its id and <c>seq</c>.</summary>
    public Task<(string Id, long Seq)> EnqueueCommandAsync(string gatewayId, string name, JsonObject args, CancellationToken cancellationToken) =>
        Transaction(async () =>
        {
            var seq = await NextSeqAsync(gatewayId, cancellationToken);
            var id = "c_" + (await NextCounterAsync("command", cancellationToken)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var argsJson = args.ToJsonString();
            await NonQueryAsync("INSERT INTO commands (gateway_id, id, seq, name, args, created) VALUES ($g, $i, $s, $n, $a, $t)",
                [("$g", gatewayId), ("$i", id), ("$s", seq), ("$n", name), ("$a", argsJson), ("$t", Now())], cancellationToken);
            await AddOutboxAsync(gatewayId, seq, PlatformFrames.Command(seq, id, name, args), cancellationToken);
            return (id, seq);
        }, cancellationToken);

    /// <summary>The reliable frames with a <c>seq</c> above <paramref name="afterSeq"/>, in order, at most <paramref name="limit"/>.</summary>
    public Task<List<OutboxFrame>> OutboxAfterAsync(string gatewayId, long afterSeq, int limit, CancellationToken cancellationToken) => Locked(async () =>
    {
        await using var command = Command("SELECT seq, json FROM outbox WHERE gateway_id = $g AND seq > $s ORDER BY seq LIMIT $l",
            [("$g", gatewayId), ("$s", afterSeq), ("$l", limit)]);
        return await ReadAllAsync(command, r => new OutboxFrame(r.GetInt64(0), r.GetString(1)), cancellationToken);
    }, cancellationToken);

    /// <summary>
    /// Stores the events above the gateway's acked cursor in one transaction (on disk when it returns)
    /// and returns the new acked cursor: messages once per WhatsApp id, chat and sender (a real message replaces an undecryptable one); status events
    /// move their job. Events at or below the acked cursor are duplicates and change nothing.
    /// </summary>
    public Task<long> StoreEventsAsync(string gatewayId, IReadOnlyList<InboundEvent> events, CancellationToken cancellationToken) => Transaction(async () =>
    {
        var acked = await ScalarAsync<long>("SELECT acked_cursor FROM gateways WHERE id = $g", [("$g", gatewayId)], cancellationToken);
        foreach (var item in events.Where(e => e.Cursor > acked).OrderBy(e => e.Cursor))
        {
            var body = JsonNode.Parse(item.Json)!.AsObject();
            if (item.Kind == "message")
            {
                // Once per WhatsApp id, chat and sender; but a late resend's real content replaces a stored
                // undecryptable placeholder (docs/tunnel.md §5), as the platform is told to do.
                await NonQueryAsync("INSERT INTO received (gateway_id, cursor, message_id, chat, sender, json, stored) VALUES ($g, $c, $m, $h, $f, $j, $t) " +
                    "ON CONFLICT (gateway_id, message_id, chat, sender) DO UPDATE SET cursor = excluded.cursor, json = excluded.json, stored = excluded.stored " +
                    "WHERE json_extract(received.json, '$.type') = 'undecryptable' AND json_extract(excluded.json, '$.type') IS NOT 'undecryptable'",
                    [("$g", gatewayId), ("$c", item.Cursor), ("$m", (string?)body["id"]), ("$h", (string?)body["chat"]), ("$f", (string?)body["from"]), ("$j", item.Json), ("$t", Now())],
                    cancellationToken);
            }
            else
            {
                await NonQueryAsync("INSERT OR IGNORE INTO statuses (gateway_id, cursor, json, stored) VALUES ($g, $c, $j, $t)",
                    [("$g", gatewayId), ("$c", item.Cursor), ("$j", item.Json), ("$t", Now())], cancellationToken);
                if ((string?)body["jobId"] is { } jobId)
                {
                    await ApplyJobUpdateAsync(gatewayId, new JobUpdate(jobId, (string)body["state"]!, (string?)body["reason"], (string?)body["messageId"],
                        PlatformFrames.ParseTime(body["at"])), cancellationToken);
                }
            }

            acked = item.Cursor;
        }

        await NonQueryAsync("UPDATE gateways SET acked_cursor = $c WHERE id = $g", [("$c", acked), ("$g", gatewayId)], cancellationToken);
        return acked;
    }, cancellationToken);

    /// <summary>Records a <c>job</c> frame's states (its state and any <c>sentAt</c>, <c>deliveredAt</c>… it carried).</summary>
    public Task RecordJobAsync(string gatewayId, IReadOnlyList<JobUpdate> updates, CancellationToken cancellationToken) => Transaction(async () =>
    {
        foreach (var update in updates)
        {
            await ApplyJobUpdateAsync(gatewayId, update, cancellationToken);
        }

        return 0;
    }, cancellationToken);

    /// <summary>Records a command's <c>result</c> (a replayed result changes nothing) and returns the command's name and args JSON, or null for an unknown id.</summary>
    public Task<(string Name, string Args)?> RecordResultAsync(string gatewayId, string id, bool ok, string? error, string? message, string? data, CancellationToken cancellationToken) =>
        Transaction<(string Name, string Args)?>(async () =>
        {
            var first = await ChangeAsync("UPDATE commands SET ok = $o, error = $e, message = $m, data = $d, result_at = $t WHERE gateway_id = $g AND id = $i AND ok IS NULL",
                [("$o", ok ? 1 : 0), ("$e", error), ("$m", message), ("$d", data), ("$t", Now()), ("$g", gatewayId), ("$i", id)], cancellationToken);
            await using var command = Command("SELECT name, args FROM commands WHERE gateway_id = $g AND id = $i", [("$g", gatewayId), ("$i", id)]);
            var rows = await ReadAllAsync(command, r => (r.GetString(0), r.GetString(1)), cancellationToken);
            if (rows.Count > 0 && rows[0].Item1 == "pacing" && ok && first > 0)
            {
                // Only settings the gateway took become the account's (welcome.pacing): a refused object
                // (bad-args) leaves the ones in force, as on the gateway (docs/tunnel.md §6.1).
                var pacing = JsonNode.Parse(await ScalarAsync<string>("SELECT pacing FROM gateways WHERE id = $g", [("$g", gatewayId)], cancellationToken) ?? DefaultPacing)!.AsObject();
                foreach (var (field, value) in JsonNode.Parse(rows[0].Item2)!.AsObject())
                {
                    pacing[field] = value?.DeepClone();
                }
                await NonQueryAsync("UPDATE gateways SET pacing = $p WHERE id = $g", [("$p", pacing.ToJsonString()), ("$g", gatewayId)], cancellationToken);
            }
            return rows.Count > 0 ? rows[0] : null;
        }, cancellationToken);

    /// <summary>Received messages, newest first; all gateways when <paramref name="gatewayId"/> is null.</summary>
    public Task<List<ReceivedMessage>> ListReceivedAsync(string? gatewayId, int limit, int offset, CancellationToken cancellationToken) => Locked(async () =>
    {
        await using var command = Command("SELECT g.uniq, r.cursor, r.json, r.stored FROM received r JOIN gateways g ON g.id = r.gateway_id " +
            "WHERE $g IS NULL OR r.gateway_id = $g ORDER BY r.stored DESC, r.cursor DESC LIMIT $l OFFSET $o", [("$g", gatewayId), ("$l", limit), ("$o", offset)]);
        return await ReadAllAsync(command, r => new ReceivedMessage(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetString(3)), cancellationToken);
    }, cancellationToken);

    /// <summary>Send jobs, newest first; all gateways when <paramref name="gatewayId"/> is null.</summary>
    public Task<List<SentJob>> ListSentAsync(string? gatewayId, int limit, int offset, CancellationToken cancellationToken) => Locked(async () =>
    {
        await using var command = Command("SELECT g.uniq, j.job_id, j.seq, j.recipient, j.text, j.priority, j.state, j.reason, j.message_id, j.created, " +
            "j.accepted_at, j.sent_at, j.delivered_at, j.read_at, j.failed_at FROM jobs j JOIN gateways g ON g.id = j.gateway_id " +
            "WHERE $g IS NULL OR j.gateway_id = $g ORDER BY j.created DESC, j.seq DESC LIMIT $l OFFSET $o", [("$g", gatewayId), ("$l", limit), ("$o", offset)]);
        return await ReadAllAsync(command, r => new SentJob(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetString(4), r.GetInt32(5),
            r.GetString(6), Text(r, 7), Text(r, 8), r.GetString(9), Text(r, 10), Text(r, 11), Text(r, 12), Text(r, 13), Text(r, 14)), cancellationToken);
    }, cancellationToken);

    /// <summary>Commands and their results, newest first; all gateways when <paramref name="gatewayId"/> is null.</summary>
    public Task<List<SentCommand>> ListCommandsAsync(string? gatewayId, int limit, int offset, CancellationToken cancellationToken) => Locked(async () =>
    {
        await using var command = Command("SELECT g.uniq, c.id, c.seq, c.name, c.args, c.created, c.ok, c.error, c.message, c.data, c.result_at " +
            "FROM commands c JOIN gateways g ON g.id = c.gateway_id WHERE $g IS NULL OR c.gateway_id = $g ORDER BY c.seq DESC LIMIT $l OFFSET $o",
            [("$g", gatewayId), ("$l", limit), ("$o", offset)]);
        return await ReadAllAsync(command, r => new SentCommand(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetString(4), r.GetString(5),
            r.IsDBNull(6) ? null : r.GetInt64(6) != 0, Text(r, 7), Text(r, 8), Text(r, 9), Text(r, 10)), cancellationToken);
    }, cancellationToken);

    private async Task ApplyJobUpdateAsync(string gatewayId, JobUpdate update, CancellationToken cancellationToken)
    {
        var rank = Array.IndexOf(JobStates, update.State);
        if (rank < 0)
        {
            return;
        }

        // A state only moves forward (a late 'delivered' never hides 'read'); 'failed' is final. Each state's time is its first report's.
        var column = update.State + "_at";
        await NonQueryAsync(
            $"UPDATE jobs SET {column} = COALESCE({column}, $at), message_id = COALESCE($m, message_id), reason = COALESCE($r, reason), " +
            "state = CASE WHEN state = 'failed' THEN state WHEN $rank > (CASE state WHEN 'accepted' THEN 0 WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 " +
            "WHEN 'read' THEN 3 WHEN 'failed' THEN 4 ELSE -1 END) THEN $s ELSE state END WHERE gateway_id = $g AND job_id = $j",
            [("$at", PlatformTime.Format(update.At ?? _time.GetUtcNow())), ("$m", update.MessageId), ("$r", update.Reason), ("$rank", rank), ("$s", update.State),
             ("$g", gatewayId), ("$j", update.JobId)], cancellationToken);
    }

    private async Task<long> NextSeqAsync(string gatewayId, CancellationToken cancellationToken)
    {
        await NonQueryAsync("UPDATE gateways SET last_seq = last_seq + 1 WHERE id = $g", [("$g", gatewayId)], cancellationToken);
        return await ScalarAsync<long>("SELECT last_seq FROM gateways WHERE id = $g", [("$g", gatewayId)], cancellationToken);
    }

    private async Task<long> NextCounterAsync(string name, CancellationToken cancellationToken)
    {
        await NonQueryAsync("INSERT INTO meta (key, value) VALUES ($k, '1') ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1", [("$k", "counter." + name)], cancellationToken);
        return long.Parse(await ScalarAsync<string>("SELECT value FROM meta WHERE key = $k", [("$k", "counter." + name)], cancellationToken) ?? "1", System.Globalization.CultureInfo.InvariantCulture);
    }

    private Task AddOutboxAsync(string gatewayId, long seq, JsonObject frame, CancellationToken cancellationToken) =>
        NonQueryAsync("INSERT INTO outbox (gateway_id, seq, json) VALUES ($g, $s, $j)", [("$g", gatewayId), ("$s", seq), ("$j", frame.ToJsonString())], cancellationToken);

    private static string? Text(SqliteDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);

    private static async Task<List<T>> ReadAllAsync<T>(SqliteCommand command, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(read(reader));
        }

        return list;
    }
}
