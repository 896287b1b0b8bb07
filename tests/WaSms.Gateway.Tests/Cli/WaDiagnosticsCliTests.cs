using System.Collections;
using WaSms.Gateway.Cli;

namespace WaSms.Gateway.Tests.Cli;

/// <summary><c>wasms-gateway wa decode|encode</c>, in-process through the same entry point as the binary.</summary>
public sealed class WaDiagnosticsCliTests
{
    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await GatewayCli.RunAsync(args, new Hashtable(), output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task EncodeThenDecode_GivesTheSameJson()
    {
        const string Json = """{"tag": "iq", "attrs": {"id": "1", "to": "s.whatsapp.net", "from": "15551234567:3@s.whatsapp.net"}, "content": [{"tag": "ping", "attrs": {}}]}""";

        var encoded = await RunAsync("wa", "encode", Json);
        Assert.Equal(0, encoded.Code);
        Assert.StartsWith("00", encoded.Output, StringComparison.Ordinal); // flags byte: plain

        var decoded = await RunAsync("wa", "decode", encoded.Output.Trim());
        Assert.Equal(0, decoded.Code);
        Assert.Equal(Json, decoded.Output.Trim());
    }

    [Fact]
    public async Task Decode_Garbage_ExitsWithAClearError()
    {
        var (code, _, error) = await RunAsync("wa", "decode", "00ff");

        Assert.Equal(65, code);
        Assert.Contains("cannot decode", error, StringComparison.Ordinal);
        Assert.Contains("offset", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wa_WithoutSubcommand_IsAUsageError()
    {
        var (code, _, error) = await RunAsync("wa", "frobnicate");

        Assert.Equal(64, code);
        Assert.Contains("wa decode", error, StringComparison.Ordinal);
    }
}
