using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace WaSms.Gateway.Tests.Platform;

/// <summary>
/// <c>wasms-gateway dev platform --json --codes N</c> as a child process (docs/tunnel.md §11): N one-time codes for N
/// gateways, each enrolling its own gateway, both listed by <c>wa.accounts</c>; a code is good once.
/// </summary>
public sealed class PlatformCodesTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TwoCodes_EnrollTwoGateways_EachCodeOnce()
    {
        using var directory = new TempDirectory();
        using var platform = GatewayProcess.Start(["dev", "platform", "--json", "--codes", "2", "--port", "0", "--api-port", "0", "--data", directory.Path],
            testOutput: output);
        var info = JsonNode.Parse(await Eventually.ValueAsync(
            () => platform.Output.Split('\n').FirstOrDefault(l => l.StartsWith('{') && l.TrimEnd().EndsWith('}')),
            Eventually.DefaultTimeout, "dev platform --json prints its connection info", () => platform.Error))!.AsObject();

        // The five keys every caller reads, plus the list of all codes when more than one was asked for.
        Assert.Equal(["apiUrl", "caFile", "enrollmentCode", "enrollmentCodes", "secret", "tunnelUrl"], info.Select(p => p.Key).Order(StringComparer.Ordinal));
        var codes = info["enrollmentCodes"]!.AsArray().Select(c => (string)c!).ToList();
        Assert.Equal(2, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal((string)info["enrollmentCode"]!, codes[0]);

        var tunnelUrl = new Uri((string)info["tunnelUrl"]!);
        var caFile = (string)info["caFile"]!;
        var ids = new List<string>();
        foreach (var code in codes)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            await using var client = await TunnelTestClient.ConnectAsync(tunnelUrl, caFile, key);
            ids.Add((await client.EnrollAsync(code)).GatewayId);
        }
        Assert.Equal(2, ids.Distinct(StringComparer.Ordinal).Count());

        using var api = new PlatformApiClient(new Uri((string)info["apiUrl"]!), (string)info["secret"]!);
        var accounts = await api.ListAsync("get/wa.accounts");
        Assert.Equal(ids.Order(StringComparer.Ordinal), accounts.Select(a => (string)a!["id"]!).Order(StringComparer.Ordinal));
        Assert.All(accounts, a => Assert.False(string.IsNullOrEmpty((string?)a!["unique"])));

        // A third gateway with an already used code is refused.
        using var thirdKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using var third = await TunnelTestClient.ConnectAsync(tunnelUrl, caFile, thirdKey);
        await third.SendAsync(third.EnrollFrame(codes[1]));
        var refused = await third.ReadUntilAsync("error");
        Assert.Equal("invalid-code", (string?)refused["code"]);
    }
}
