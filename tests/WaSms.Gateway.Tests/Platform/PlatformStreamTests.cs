using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace WaSms.Gateway.Tests.Platform;

/// <summary>Events in (stored, then acked, deduplicated), jobs and commands out (seq, resume, replies), and the doc's errors for bad frames.</summary>
public sealed class PlatformStreamTests
{
    internal static JsonObject MessageEvent(long cursor, string id, string text = "Hi, is the shop open today?") => new()
    {
        ["type"] = "event", ["cursor"] = cursor, ["kind"] = "message",
        ["message"] = new JsonObject
        {
            ["id"] = id, ["chat"] = "+4915112345678", ["from"] = "+4915112345678", ["fromMe"] = false, ["pushName"] = "Alice",
            ["timestamp"] = "2026-12-02T10:15:01.000Z", ["type"] = "text", ["text"] = text, ["optOut"] = false,
        },
    };

    private static JsonObject StatusEvent(long cursor, string? jobId, string state, string at) => new()
    {
        ["type"] = "event", ["cursor"] = cursor, ["kind"] = "status",
        ["status"] = new JsonObject { ["jobId"] = jobId, ["messageId"] = "3EB0C4D5E6F708192A3B", ["state"] = state, ["at"] = at, ["reason"] = null },
    };

    private static async Task<long> CountReceivedOnDiskAsync(string directory)
    {
        // A separate connection to the file: what a kill -9 right now would leave.
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(directory, "platform.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM received";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Events_are_acked_only_once_stored_and_stored_once_by_cursor_and_message_id()
    {
        await using var bed = await PlatformTestBed.StartAsync();
        var (platform, api) = (bed.Platform, bed.Api);
        var code = await bed.IssueCodeAsync();
        string gatewayId;
        await using (var client = await bed.ConnectAsync())
        {
            gatewayId = (await client.EnrollAsync(code)).GatewayId;
            await client.HelloAsync(gatewayId);
            await client.SendAsync(MessageEvent(1, "3EB0A1"));
            await client.SendAsync(MessageEvent(2, "3EB0A2"));
            await client.SendAsync(MessageEvent(3, "3EB0A1")); // the same WhatsApp message under a new cursor
            await client.SendAsync(StatusEvent(4, null, "sent", "2026-12-02T10:16:40.512Z")); // a local CLI send: no jobId
            long acked = 0;
            while (acked < 4)
            {
                acked = (long)(await client.ReadUntilAsync("ack"))["cursor"]!;
                Assert.True(acked <= 4);
                // At the moment of each ack, the file already holds what it covers (messages 3EB0A1 and 3EB0A2 by cursor 2).
                Assert.True(await CountReceivedOnDiskAsync(bed.Directory.Path) >= Math.Min(acked, 2));
            }
        }

        Assert.Equal(2, (await api.ListAsync("get/wa.received")).Count);
        await using (var client = await bed.ConnectAsync())
        {
            var welcome = await client.HelloAsync(gatewayId);
            Assert.Equal(4, (long)welcome["ackedCursor"]!);
            // A resend of acked events changes nothing; a new one is stored.
            await client.SendAsync(MessageEvent(3, "3EB0A1"));
            await client.SendAsync(MessageEvent(5, "3EB0A5", "Thanks!"));
            while ((long)(await client.ReadUntilAsync("ack"))["cursor"]! < 5)
            {
            }
        }

        var received = await api.ListAsync("get/wa.received", ("limit", "100"));
        Assert.Equal(["3EB0A5", "3EB0A2", "3EB0A1"], received.Select(r => (string)r!["id"]!));
        Assert.Equal("Thanks!", (string?)received[0]!["message"]);
        Assert.Equal("+4915112345678", (string?)received[0]!["from"]);
    }

    [Fact]
    public async Task A_late_resend_replaces_a_stored_undecryptable_message_once_and_nothing_replaces_real_content()
    {
        await using var bed = await PlatformTestBed.StartAsync();
        var api = bed.Api;
        var code = await bed.IssueCodeAsync();
        await using (var client = await bed.ConnectAsync())
        {
            var gatewayId = (await client.EnrollAsync(code)).GatewayId;
            await client.HelloAsync(gatewayId);
            var placeholder = MessageEvent(1, "3EB0B1", "");
            placeholder["message"]!["type"] = "undecryptable";
            placeholder["message"]!["text"] = null;
            await client.SendAsync(placeholder);
            await client.SendAsync(MessageEvent(2, "3EB0B1", "the real text")); // the late resend decrypted (docs/tunnel.md §5)
            var again = MessageEvent(3, "3EB0B1", "");
            again["message"]!["type"] = "undecryptable";
            again["message"]!["text"] = null;
            await client.SendAsync(again); // a placeholder never replaces real content
            await client.SendAsync(MessageEvent(4, "3EB0B1", "another text")); // nor does a second real event
            while ((long)(await client.ReadUntilAsync("ack"))["cursor"]! < 4)
            {
            }
        }

        var received = Assert.Single(await api.ListAsync("get/wa.received", ("limit", "100")));
        Assert.Equal("3EB0B1", (string?)received!["id"]);
        Assert.Equal("the real text", (string?)received["message"]);
    }

    [Fact]
    public async Task A_multipart_form_as_curl_F_and_PHP_send_it_queues_the_same_job_and_a_file_field_is_refused()
    {
        await using var bed = await PlatformTestBed.StartAsync();
        var (client, _, account) = await bed.EnrolledAsync();
        await using (client)
        {
            var queued = await bed.Api.PostMultipartAsync("send/whatsapp",
                [("account", account), ("recipient", "+4915112345678"), ("type", "text"), ("message", "Grüße — line one\r\nline two"), ("priority", "2")]);
            Assert.True((int?)queued["status"] == 200, queued.ToJsonString());
            var send = await client.ReadUntilAsync("send");
            Assert.Equal((string)queued["data"]!["id"]!, (string?)send["jobId"]);
            Assert.Equal("Grüße — line one\r\nline two", (string?)send["text"]);
            Assert.Equal(2, (int)send["priority"]!);

            var file = await bed.Api.PostMultipartAsync("send/whatsapp",
                [("account", account), ("recipient", "+4915112345678"), ("type", "media")], ("media_file", "photo.gif"));
            Assert.Equal(400, (int)file["status"]!);
            Assert.Contains("'media_file' is a file", (string?)file["message"], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Jobs_from_the_API_arrive_as_send_frames_are_resent_after_reconnect_and_their_replies_show_in_wa_sent()
    {
        await using var bed = await PlatformTestBed.StartAsync();
        var (platform, api) = (bed.Platform, bed.Api);
        var code = await bed.IssueCodeAsync();
        string gatewayId, account, jobId;
        await using (var client = await bed.ConnectAsync())
        {
            (gatewayId, account) = await client.EnrollAsync(code);
            await client.HelloAsync(gatewayId);
            var queued = await api.PostFormAsync("send/whatsapp", ("account", account), ("recipient", "+4915112345678"), ("type", "text"), ("message", "Yes, 9 to 6."), ("priority", "1"));
            Assert.Equal(200, (int)queued["status"]!);
            jobId = (string)queued["data"]!["id"]!;
            var send = await client.ReadUntilAsync("send");
            Assert.Equal(1, (long)send["seq"]!);
            Assert.Equal(jobId, (string?)send["jobId"]);
            Assert.Equal("+4915112345678", (string?)send["to"]);
            Assert.Equal("text", (string?)send["kind"]);
            Assert.Equal("Yes, 9 to 6.", (string?)send["text"]);
            Assert.Equal(1, (int)send["priority"]!);
            await api.PostFormAsync("send/whatsapp", ("account", account), ("recipient", "120363025246125486@g.us"), ("message", "Team update"));
            Assert.Equal(2, (long)(await client.ReadUntilAsync("send"))["seq"]!);
            // Dropped before answering either.
        }

        await using (var client = await bed.ConnectAsync())
        {
            await client.HelloAsync(gatewayId, platformSeq: 0);
            var first = await client.ReadUntilAsync("send");
            var second = await client.ReadUntilAsync("send");
            Assert.Equal([1L, 2L], [(long)first["seq"]!, (long)second["seq"]!]);
            await client.SendAsync(new JsonObject
            {
                ["type"] = "job", ["jobId"] = jobId, ["seq"] = 1, ["state"] = "accepted", ["messageId"] = "3EB0C4D5E6F708192A3B", ["at"] = "2026-12-02T10:16:38.002Z",
            });
            await client.SendAsync(StatusEvent(1, jobId, "sent", "2026-12-02T10:16:39.000Z"));
            await client.SendAsync(StatusEvent(2, jobId, "delivered", "2026-12-02T10:16:40.512Z"));
            while ((long)(await client.ReadUntilAsync("ack"))["cursor"]! < 2)
            {
            }

            var pairCode = await api.PostFormAsync("dev/command", ("unique", account), ("name", "pair-code"), ("args", """{"phone":"+4915100000001"}"""));
            Assert.Equal(200, (int)pairCode["status"]!);
            var command = await client.ReadUntilAsync("command");
            Assert.Equal(3, (long)command["seq"]!);
            Assert.Equal("+4915100000001", (string?)command["args"]!["phone"]);
            await client.SendAsync(new JsonObject
            {
                ["type"] = "result", ["id"] = command["id"]!.DeepClone(), ["seq"] = 3, ["ok"] = true,
                ["data"] = new JsonObject { ["code"] = "ABCD-EFGH", ["expiresAt"] = "2026-12-02T10:18:00.000Z" },
            });
            await Eventually.UntilAsync(async () => (string?)(await api.ListAsync("get/wa.commands"))[0]!["data"]?["code"] == "ABCD-EFGH",
                Eventually.DefaultTimeout, "the pair-code result is recorded");
        }

        var sent = (await api.ListAsync("get/wa.sent", ("unique", account))).Single(j => (string?)j!["id"] == jobId)!;
        Assert.Equal("delivered", (string?)sent["status"]);
        Assert.Equal("3EB0C4D5E6F708192A3B", (string?)sent["messageId"]);
        Assert.Equal("2026-12-02T10:16:38.002Z", (string?)sent["accepted"]);
        Assert.Equal("2026-12-02T10:16:39.000Z", (string?)sent["sent"]);
        Assert.Equal("2026-12-02T10:16:40.512Z", (string?)sent["delivered"]);
        Assert.Null((string?)sent["read"]);

        // The gateway processed seq 1 (and the command, 3, is unanswered): only 2 and 3 come again, in order.
        await using (var client = await bed.ConnectAsync())
        {
            await client.HelloAsync(gatewayId, platformSeq: 1);
            Assert.Equal(2, (long)(await client.ReadUntilAsync("send"))["seq"]!);
            Assert.Equal(3, (long)(await client.ReadUntilAsync("command"))["seq"]!);
        }
    }

    [Theory]
    [InlineData("not-json", "bad-frame", WebSocketCloseStatus.PolicyViolation)]
    [InlineData("array", "bad-frame", WebSocketCloseStatus.PolicyViolation)]
    [InlineData("wrong-field-type", "bad-frame", WebSocketCloseStatus.PolicyViolation)]
    [InlineData("binary", "bad-frame", WebSocketCloseStatus.PolicyViolation)]
    [InlineData("oversized", "too-large", WebSocketCloseStatus.MessageTooBig)]
    [InlineData("unknown-type", "unknown-type", WebSocketCloseStatus.PolicyViolation)]
    [InlineData("platform-frame", "unknown-type", WebSocketCloseStatus.PolicyViolation)]
    [InlineData("hello-again", "out-of-order", WebSocketCloseStatus.PolicyViolation)]
    [InlineData("unsupported-version", "unsupported-version", WebSocketCloseStatus.PolicyViolation)]
    public async Task A_bad_frame_gets_the_doc_error_and_close_code(string frame, string code, WebSocketCloseStatus closeStatus)
    {
        await using var bed = await PlatformTestBed.StartAsync();
        var platform = bed.Platform;
        await using var client = await bed.ConnectAsync();
        var gatewayId = (await client.EnrollAsync(await bed.IssueCodeAsync())).GatewayId;
        if (frame == "unsupported-version")
        {
            var hello = client.HelloFrame(gatewayId, 0);
            hello["v"] = 2;
            await client.SendAsync(hello);
            Assert.True((bool)(await client.ExpectErrorAsync(code, closeStatus))["terminal"]!);
            return;
        }

        await client.HelloAsync(gatewayId);
        switch (frame)
        {
            case "binary":
                await client.Socket.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, CancellationToken.None);
                break;
            case "oversized":
                await client.SendAsync(MessageEvent(1, "3EB0BIG", new string('x', 300 * 1024)));
                break;
            default:
                await client.SendTextAsync(frame switch
                {
                    "not-json" => "{\"type\":\"event\",",
                    "array" => "[1,2]",
                    "wrong-field-type" => """{"type":"event","cursor":"one","kind":"message","message":{}}""",
                    "unknown-type" => """{"type":"teleport"}""",
                    "platform-frame" => """{"type":"send","seq":1,"jobId":"1","to":"+4915112345678","kind":"text","text":"x"}""",
                    _ => client.HelloFrame(gatewayId, 0).ToJsonString(),
                });
                break;
        }

        var error = await client.ExpectErrorAsync(code, closeStatus);
        Assert.False((bool)error["terminal"]!);
    }
}
