using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace WaSms.Gateway.Tests.Platform;

/// <summary>
/// The platform emulator against a gateway side written from docs/tunnel.md in the test (real TLS
/// under the emulator's CA, a real WebSocket, an ECDSA P-256 device key, the real SQLite file).
/// </summary>
public sealed class PlatformEmulatorTests
{
    [Fact]
    public async Task Enrollment_hello_and_welcome_follow_the_doc_and_a_second_hello_replaces_the_first_connection()
    {
        await using var bed = await PlatformTestBed.StartAsync();
        var (platform, api) = (bed.Platform, bed.Api);
        var code = await bed.IssueCodeAsync();
        await using var first = await bed.ConnectAsync();
        // Compared case-insensitively, ignoring '-' and spaces (§3).
        var (gatewayId, account) = await first.EnrollAsync(code.ToLowerInvariant().Replace('-', ' '));
        Assert.Matches("^[A-Za-z0-9_.-]{1,128}$", gatewayId);
        var welcome = await first.HelloAsync(gatewayId);
        Assert.Equal(0, (long)welcome["ackedCursor"]!);
        Assert.Equal(100, (int)welcome["window"]!);
        Assert.Equal(20, (int)welcome["pingInterval"]!);
        Assert.Equal(10, (int)welcome["pingTimeout"]!);
        Assert.Equal(1, (int)welcome["pacing"]!["minGap"]!);
        Assert.Equal(5, (int)welcome["pacing"]!["maxGap"]!);

        await first.SendAsync(new JsonObject { ["type"] = "ping", ["id"] = "p_1" });
        var pong = await first.ReadAsync();
        Assert.Equal("pong", (string?)pong["type"]);
        Assert.Equal("p_1", (string?)pong["id"]);
        await first.SendAsync(JsonNode.Parse("""{"type":"state","state":"online","reason":"","since":"2026-12-02T09:58:12.000Z","account":{"phone":"+4915100000001","name":"Shop"}}""")!.AsObject());
        await first.SendAsync(JsonNode.Parse("""{"type":"pairing","mode":"none"}""")!.AsObject());
        await Eventually.UntilAsync(async () =>
        {
            var accounts = await api.ListAsync("get/wa.accounts");
            return accounts.Count == 1 && (string?)accounts[0]!["unique"] == account && (string?)accounts[0]!["phone"] == "+4915100000001" &&
                (string?)accounts[0]!["status"] == "connected" && (string?)accounts[0]!["pairing"]?["mode"] == "none";
        }, Eventually.DefaultTimeout, "wa.accounts shows the linked number as connected");

        // The enrolled frame was lost: the same code from the same key answers the same gatewayId.
        await using var second = await bed.ConnectAsync(first.Key);
        Assert.Equal(gatewayId, (await second.EnrollAsync(code)).GatewayId);
        await second.HelloAsync(gatewayId);
        var replaced = await first.ExpectErrorAsync("replaced", WebSocketCloseStatus.PolicyViolation);
        Assert.False((bool)replaced["terminal"]!);

        // The used code from another key is refused, terminally.
        await using var third = await TunnelTestClient.ConnectAsync(platform.TunnelUri, platform.CaFile); // its own key
        await third.SendAsync(third.EnrollFrame(code));
        Assert.True((bool)(await third.ExpectErrorAsync("invalid-code", WebSocketCloseStatus.PolicyViolation))["terminal"]!);
    }

    [Fact]
    public async Task A_bad_signature_or_unknown_gateway_is_auth_failed_and_a_frame_before_hello_is_out_of_order()
    {
        await using var bed = await PlatformTestBed.StartAsync();
        var platform = bed.Platform;
        var (client, gatewayId, _) = await bed.EnrolledAsync();
        await client.DisposeAsync();

        // A recorded hello is useless on another connection: the signature covers the old nonce.
        await using var replay = await bed.ConnectAsync();
        await replay.SendAsync(replay.HelloFrame(gatewayId, 0, signedNonce: "an-earlier-nonce"));
        Assert.True((bool)(await replay.ExpectErrorAsync("auth-failed", WebSocketCloseStatus.PolicyViolation))["terminal"]!);

        await using var stranger = await bed.ConnectAsync();
        await stranger.SendAsync(stranger.HelloFrame("gw_never_enrolled", 0));
        await stranger.ExpectErrorAsync("auth-failed", WebSocketCloseStatus.PolicyViolation);

        await using var early = await bed.ConnectAsync();
        await early.SendAsync(JsonNode.Parse("""{"type":"state","state":"online"}""")!.AsObject());
        await early.ExpectErrorAsync("out-of-order", WebSocketCloseStatus.PolicyViolation);

        await using var unknownCode = await bed.ConnectAsync();
        await unknownCode.SendAsync(unknownCode.EnrollFrame("WSMS-0000-0000"));
        await unknownCode.ExpectErrorAsync("invalid-code", WebSocketCloseStatus.PolicyViolation);
    }

    [Fact]
    public async Task Deleting_the_account_sends_reset_unlink_and_revokes_the_credential()
    {
        await using var bed = await PlatformTestBed.StartAsync();
        var (platform, api) = (bed.Platform, bed.Api);
        var (client, gatewayId, account) = await bed.EnrolledAsync();
        await using (client)
        {
            Assert.Equal(200, (int)(await api.GetAsync("create/wa.relink", ("unique", account)))["status"]!);
            var relink = await client.ReadUntilAsync("command");
            Assert.Equal("reset", (string?)relink["name"]);
            Assert.Equal("relink", (string?)relink["args"]!["mode"]);
            await client.SendAsync(new JsonObject { ["type"] = "result", ["id"] = relink["id"]!.DeepClone(), ["seq"] = relink["seq"]!.DeepClone(), ["ok"] = true });

            Assert.Equal(200, (int)(await api.GetAsync("delete/wa.account", ("unique", account)))["status"]!);
            var unlink = await client.ReadUntilAsync("command");
            Assert.Equal("unlink", (string?)unlink["args"]!["mode"]);
            Assert.Equal((long)relink["seq"]! + 1, (long)unlink["seq"]!);
            await client.SendAsync(new JsonObject { ["type"] = "result", ["id"] = unlink["id"]!.DeepClone(), ["seq"] = unlink["seq"]!.DeepClone(), ["ok"] = true });
            await client.ExpectErrorAsync("revoked", WebSocketCloseStatus.PolicyViolation);
        }

        await using var again = await bed.ConnectAsync();
        await again.SendAsync(again.HelloFrame(gatewayId, 0));
        Assert.True((bool)(await again.ExpectErrorAsync("revoked", WebSocketCloseStatus.PolicyViolation))["terminal"]!);
        var send = await api.PostFormAsync("send/whatsapp", ("account", account), ("recipient", "+4915112345678"), ("type", "text"), ("message", "hi"));
        Assert.Equal(404, (int)send["status"]!);
        var commands = await api.ListAsync("get/wa.commands");
        Assert.All(commands, c => Assert.True((bool)c!["ok"]!));
    }

    [Fact]
    public async Task A_gateway_silent_for_two_ping_intervals_plus_the_timeout_is_disconnected()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var bed = await PlatformTestBed.StartAsync(time);
        var (client, _, _) = await bed.EnrolledAsync();
        await using (client)
        {
            var closed = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        await client.ReadAsync();
                    }
                }
                catch (Exception ex) when (ex is InvalidOperationException or WebSocketException)
                {
                    // Closed by the platform.
                }
            });
            // 2 × 20 s + 10 s of silence on the emulator's clock.
            await Eventually.UntilAsync(() =>
            {
                time.Advance(TimeSpan.FromSeconds(5));
                return closed.IsCompleted;
            }, Eventually.DefaultTimeout, "the platform closes the silent connection");
            await closed;
            Assert.True(time.GetUtcNow() - time.Start >= TimeSpan.FromSeconds(50));
        }
    }

    [Fact]
    public async Task Only_pacing_the_gateway_accepted_becomes_the_welcome_pacing()
    {
        await using var bed = await PlatformTestBed.StartAsync();
        var (client, gatewayId, account) = await bed.EnrolledAsync();
        await using (client)
        {
            async Task AnswerPacingAsync(string args, bool ok)
            {
                Assert.Equal(200, (int)(await bed.Api.PostFormAsync("dev/command", ("unique", account), ("name", "pacing"), ("args", args)))["status"]!);
                var command = await client.ReadUntilAsync("command");
                var result = new JsonObject { ["type"] = "result", ["id"] = command["id"]!.DeepClone(), ["seq"] = command["seq"]!.DeepClone(), ["ok"] = ok };
                if (!ok)
                {
                    result["error"] = "bad-args";
                    result["message"] = "args: minGap must not be above maxGap";
                }
                await client.SendAsync(result);
            }

            await AnswerPacingAsync("""{"minGap":30}""", ok: false);
            await AnswerPacingAsync("""{"minGap":2,"hourlyCap":50}""", ok: true);
            await Eventually.UntilAsync(async () => (await bed.Api.ListAsync("get/wa.commands")).All(c => c!["ok"] is not null),
                Eventually.DefaultTimeout, "both results recorded");
        }

        await using var again = await bed.ConnectAsync();
        var welcome = await again.HelloAsync(gatewayId, platformSeq: 2);
        // The refused minGap 30 is not the account's; the accepted fields are, over the defaults.
        Assert.Equal("""{"minGap":2,"maxGap":5,"hourlyCap":50,"dailyCap":0,"cooldown":0}""", welcome["pacing"]!.ToJsonString());
    }
}
