using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace WaSms.Gateway.Tests.Platform;

/// <summary>kill -9 of the platform emulator (<c>wasms-gateway dev platform --json</c> as a child process) in the middle of an event stream.</summary>
public sealed class PlatformCrashTests(ITestOutputHelper output)
{
    private const int Events = 150;

    private static async Task<JsonObject> ConnectionInfoAsync(GatewayProcess process) =>
        JsonNode.Parse(await Eventually.ValueAsync(
            () => process.Output.Split('\n').FirstOrDefault(l => l.StartsWith('{') && l.TrimEnd().EndsWith('}')),
            Eventually.DefaultTimeout, "dev platform --json prints its connection info", () => process.Error))!.AsObject();

    private GatewayProcess StartPlatform(TempDirectory directory) =>
        GatewayProcess.Start(["dev", "platform", "--json", "--port", "0", "--api-port", "0", "--data", directory.Path], testOutput: output);

    [Fact]
    public async Task Nothing_the_emulator_acked_is_lost_when_it_is_killed_mid_stream()
    {
        using var directory = new TempDirectory();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string gatewayId, secret;
        long lastAck = 0;
        using (var platform = StartPlatform(directory))
        {
            var info = await ConnectionInfoAsync(platform);
            Assert.Equal(["apiUrl", "caFile", "enrollmentCode", "secret", "tunnelUrl"], info.Select(p => p.Key).Order(StringComparer.Ordinal));
            secret = (string)info["secret"]!;
            await using var client = await TunnelTestClient.ConnectAsync(new Uri((string)info["tunnelUrl"]!), (string)info["caFile"]!, key);
            gatewayId = (await client.EnrollAsync((string)info["enrollmentCode"]!)).GatewayId;
            await client.HelloAsync(gatewayId);

            var acks = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        var frame = await client.ReadAsync();
                        if ((string?)frame["type"] == "ack")
                        {
                            Interlocked.Exchange(ref lastAck, (long)frame["cursor"]!);
                        }
                    }
                }
                catch (Exception ex) when (ex is InvalidOperationException or System.Net.WebSockets.WebSocketException or OperationCanceledException)
                {
                    // The emulator died.
                }
            });
            for (var cursor = 1; cursor <= Events; cursor++)
            {
                var at = cursor;
                await Eventually.UntilAsync(() => at - Interlocked.Read(ref lastAck) <= 100, Eventually.DefaultTimeout, "room in the window");
                await client.SendAsync(PlatformStreamTests.MessageEvent(cursor, $"3EB0{cursor:D6}"));
            }

            // Events are in flight (sent, not all acked) when the emulator dies.
            platform.Signal("KILL");
            await platform.WaitForExitAsync(TimeSpan.FromSeconds(30));
            await acks;
        }

        var acked = Interlocked.Read(ref lastAck);
        output.WriteLine($"the emulator had acked {acked} of {Events} events when it was killed");
        Assert.True(acked > 0, "the emulator acked something before it died");
        using var restarted = StartPlatform(directory);
        var again = await ConnectionInfoAsync(restarted);
        Assert.Equal(secret, (string)again["secret"]!);
        using var api = new PlatformApiClient(new Uri((string)again["apiUrl"]!), secret);
        await using (var client = await TunnelTestClient.ConnectAsync(new Uri((string)again["tunnelUrl"]!), (string)again["caFile"]!, key))
        {
            var welcome = await client.HelloAsync(gatewayId);
            var resumeAfter = (long)welcome["ackedCursor"]!;
            Assert.True(resumeAfter >= acked, $"welcome.ackedCursor {resumeAfter} is below the last ack {acked}");
            var stored = await api.ListAsync("get/wa.received", ("limit", "1000"));
            Assert.Equal(resumeAfter, stored.Count);

            // The gateway resends what was not acked; the platform ends with every message exactly once.
            for (var cursor = resumeAfter + 1; cursor <= Events; cursor++)
            {
                await client.SendAsync(PlatformStreamTests.MessageEvent(cursor, $"3EB0{cursor:D6}"));
            }

            // (Nothing to wait for when the kill came after the last ack.)
            while (resumeAfter < Events && (long)(await client.ReadUntilAsync("ack"))["cursor"]! < Events)
            {
            }
        }

        var ids = (await api.ListAsync("get/wa.received", ("limit", "1000"))).Select(r => (string)r!["id"]!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Enumerable.Range(1, Events).Select(c => $"3EB0{c:D6}"), ids);
    }
}
