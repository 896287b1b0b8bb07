using System.IO.Compression;
using WaSms.Gateway.Cli;

namespace WaSms.Gateway.Tests.Cli;

/// <summary><c>wasms-gateway wa decode|encode</c>, in-process through the same entry point as the binary.</summary>
public sealed class WaDiagnosticsCliTests
{
    private static Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => InProcessCli.RunAsync(args);

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

    /// <summary>
    /// Issue #9 item 6: a node that inflates to 24 MiB used to kill the built CLI ("Out of memory",
    /// exit 134) under its 64 MB heap. The real process, fed on stdin, now says one line and exits 65.
    /// </summary>
    [Theory]
    [InlineData(24)]
    [InlineData(31)]
    public async Task Decode_ZlibBombOnStdin_InTheRealProcess_IsOneLineAndExit65(int mebibytes)
    {
        using var compressed = new MemoryStream();
        compressed.WriteByte(0x02);
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (var i = 0; i < mebibytes; i++)
            {
                zlib.Write(zeros);
            }
        }

        using var process = GatewayProcess.Start(["wa", "decode", "-"], redirectInput: true);
        await process.Input.WriteAsync(Convert.ToHexStringLower(compressed.ToArray()));
        process.Input.Close();
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(65, code);
        var lines = process.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("wasms-gateway: cannot decode: Compressed node inflates past the limit of 8388608 bytes.", Assert.Single(lines));
    }

    /// <summary>
    /// Within the 8 MiB inflate limit, 3-byte nodes would be ~2.6 million objects (~150 MB of heap):
    /// the per-frame node budget refuses them in the real process, with one line.
    /// </summary>
    [Fact]
    public async Task Decode_MillionsOfTinyNodes_InTheRealProcess_IsOneLineAndExit65()
    {
        using var compressed = new MemoryStream();
        compressed.WriteByte(0x02);
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            // <iq> with 40 children of 65,000 <iq/> each: 2.6 million nodes in under 8 MiB.
            zlib.Write([0xf8, 0x02, 0x19, 0xf8, 40]);
            var leaves = new byte[65000 * 3];
            for (var i = 0; i < leaves.Length; i += 3)
            {
                (leaves[i], leaves[i + 1], leaves[i + 2]) = ((byte)0xf8, (byte)0x01, (byte)0x19);
            }
            for (var i = 0; i < 40; i++)
            {
                zlib.Write([0xf8, 0x02, 0x19, 0xf9, 0xfd, 0xe8]);
                zlib.Write(leaves);
            }
        }

        using var process = GatewayProcess.Start(["wa", "decode", "-"], redirectInput: true);
        await process.Input.WriteAsync(Convert.ToHexStringLower(compressed.ToArray()));
        process.Input.Close();
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(65, code);
        var line = Assert.Single(process.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("more than the limit of 65536 nodes in one frame", line, StringComparison.Ordinal);
    }

    /// <summary>The largest node the limits allow (8 MiB of binary content) decodes within the heap.</summary>
    [Fact]
    public async Task Decode_TheLargestAllowedNode_InTheRealProcess_Succeeds()
    {
        // <iq> with binary content: f8 02 <tag token> then BINARY_32 and the length, 8 MiB minus the header.
        var node = new byte[8 * 1024 * 1024];
        int content = node.Length - 8;
        byte[] header = [0xf8, 0x02, 0x19, 0xfe, (byte)(content >> 24), (byte)(content >> 16), (byte)(content >> 8), (byte)content];
        header.CopyTo(node, 0);
        using var compressed = new MemoryStream();
        compressed.WriteByte(0x02);
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            zlib.Write(node);
        }

        using var process = GatewayProcess.Start(["wa", "decode", "-"], redirectInput: true);
        await process.Input.WriteAsync(Convert.ToHexStringLower(compressed.ToArray()));
        process.Input.Close();
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(code == 0, process.Error);
        Assert.StartsWith("{\"tag\": ", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decode_StdinLongerThanTheLargestPayload_IsRefusedBeforeReadingItAll()
    {
        using var process = GatewayProcess.Start(["wa", "decode", "-"], redirectInput: true);
        var chunk = new string('0', 1 << 20);
        try
        {
            for (var i = 0; i < 12; i++)
            {
                await process.Input.WriteAsync(chunk);
            }

            process.Input.Close();
        }
        catch (IOException)
        {
            // The CLI stopped reading at its limit and closed the pipe: that is the point.
        }

        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(65, code);
        Assert.Contains("cannot decode: The input is longer than", process.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wa_WithoutSubcommand_IsAUsageError()
    {
        var (code, _, error) = await RunAsync("wa", "frobnicate");

        Assert.Equal(64, code);
        Assert.Contains("wa decode", error, StringComparison.Ordinal);
    }
}
