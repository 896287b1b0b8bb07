using WaSms.WhatsApp.Binary;

namespace WaSms.WhatsApp.Tests.Binary;

public sealed class NodeDiagnosticsTests
{
    private const string PingHex = "00f80a1908ff831b2a3f110304291657f801f80156";
    private const string PingJson = """{"tag": "iq", "attrs": {"id": "1.2-3", "to": "s.whatsapp.net", "type": "get", "xmlns": "w:p"}, "content": [{"tag": "ping", "attrs": {}}]}""";

    [Fact]
    public void Decode_FrameHex_GivesJson()
    {
        Assert.Equal(PingJson, NodeDiagnostics.Decode(PingHex));
    }

    [Fact]
    public void Decode_UpperCaseAndWhitespace_AreAccepted()
    {
        Assert.Equal(PingJson, NodeDiagnostics.Decode("00 F80A1908\nFF831B2A3F110304291657F801F80156\n"));
    }

    [Fact]
    public void Encode_Json_GivesFrameHex()
    {
        Assert.Equal(PingHex, NodeDiagnostics.Encode(PingJson));
    }

    [Fact]
    public void Decode_CompressedFrame_GivesJson()
    {
        byte[] frame = NodeCodecTests.Compress(Convert.FromHexString(PingHex[2..]), flags: 0x02);

        Assert.Equal(PingJson, NodeDiagnostics.Decode(Convert.ToHexString(frame)));
    }

    [Theory]
    [InlineData("00f8g1", "Character 'g' at position 4 is not a hex digit")]
    [InlineData("00f80", "odd number of digits (5)")]
    public void Decode_NotHex_ThrowsFormatException(string hex, string problem)
    {
        var e = Assert.Throws<FormatException>(() => NodeDiagnostics.Decode(hex));

        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("00")]
    [InlineData("00f80119ff")]
    public void Decode_BadFrame_ThrowsWaProtocolException(string hex)
    {
        Assert.Throws<WaProtocolException>(() => NodeDiagnostics.Decode(hex));
    }

    [Fact]
    public void Encode_BadJson_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => NodeDiagnostics.Encode("{\"attrs\": {}}"));
    }
}
