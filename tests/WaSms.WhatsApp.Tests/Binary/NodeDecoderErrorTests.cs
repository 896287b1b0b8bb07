using WaSms.WhatsApp.Binary;

namespace WaSms.WhatsApp.Tests.Binary;

/// <summary>Malformed input: only WaProtocolException, with a message naming the problem and the offset.</summary>
public sealed class NodeDecoderErrorTests
{
    private static WaProtocolException ReadFails(string hex, NodeDecoderLimits? limits = null) =>
        Assert.Throws<WaProtocolException>(() => NodeDecoder.Read(Convert.FromHexString(hex), limits));

    [Theory]
    [InlineData("", "unexpected end of input reading the list start of a node", 0)]
    [InlineData("f8", "unexpected end of input reading the size of a node's list", 1)]
    [InlineData("f9 00", "needed 2 bytes, 1 left", 1)]
    [InlineData("00", "a node's list is empty", 0)]
    [InlineData("f800", "a node's list is empty", 0)]
    [InlineData("fc0161", "expected a node (list tag 0xf8 or 0xf9), found tag 0xfc", 0)]
    [InlineData("f801fc00", "the node tag is empty", 0)]
    [InlineData("f80100", "the node tag is empty", 0)]
    [InlineData("f801f0", "the node tag: unknown tag 0xf0", 2)]
    [InlineData("f801f80119", "the node tag must be a string, found a list (tag 0xf8)", 2)]
    [InlineData("f801fa0003", "the node tag must be a string, found a JID (tag 0xfa)", 2)]
    [InlineData("f80119ff", "1 bytes left over after the root node", 3)]
    [InlineData("f80319", "<iq> declares 1 attributes but only 0 bytes remain", 0)]
    [InlineData("f80319fc0008", "<iq> has an attribute with an empty key", 3)]
    [InlineData("f80319fa000308", "an attribute key must be a string, found a JID (tag 0xfa)", 3)]
    [InlineData("f80319fc0161fc05616263", "the value of attribute 'a' declares 5 bytes but only 3 remain", 6)]
    [InlineData("f80319fc0161fd0fffff", "declares 1048575 bytes but only 0 remain", 6)]
    [InlineData("f80319fc0161feffffffff", "declares 4294967295 bytes but only 0 remain", 6)]
    [InlineData("f80319fc0161fe7fffffff", "declares 2147483647 bytes but only 0 remain", 6)]
    [InlineData("f80319fc0161ec", "unexpected end of input reading the index of a double-byte token", 7)]
    [InlineData("f80319fc0161ff80", "is marked odd but has no characters", 6)]
    [InlineData("f80319fc0161ff05", "declares 5 bytes but only 0 remain", 6)]
    [InlineData("f80319fc0161ff01c0", "0xc is not a NIBBLE_8 code", 8)]
    [InlineData("f80319fc0161ff02f111", "pad nibble 0xf before the end of the string", 8)]
    [InlineData("f80319fc0161ff811d", "0xd is not a NIBBLE_8 code", 8)]
    [InlineData("f80319fc0161fa0000", "a JID pair has an empty server", 8)]
    [InlineData("f80319fc0161fa00", "unexpected end of input reading the server of a JID pair", 8)]
    [InlineData("f80319fc0161f700", "unexpected end of input reading the device byte of an AD JID", 8)]
    [InlineData("f80319fc0161f6fc01310001fc0178", "a Messenger JID (FB_JID) must be on 'msgr', found 'x'", 12)]
    [InlineData("f80319fc0161f5fc013100010002fc0178", "an interop JID must be on 'interop', found 'x'", 14)]
    [InlineData("f80319fc0161f5fc0131000100", "needed 2 bytes, 1 left", 12)]
    [InlineData("f80319fc0161fafc03613a6203", "invalid JID: the user 'a:b' contains '@' or ':'", 6)]
    [InlineData("f80319fc0161f70001fc03612e62", "invalid JID: the user 'a.b' on s.whatsapp.net contains '.'", 6)]
    [InlineData("f80319fc0161fafc0131fc0340403a", "invalid JID: the server '@@:' contains '@'", 6)]
    [InlineData("f80319fc0161f7000afafc01310d", "the user of an AD JID must be a string, found a JID (tag 0xfa)", 9)]
    [InlineData("f80219", "unexpected end of input reading the content of <iq>", 3)]
    [InlineData("f80219f8", "unexpected end of input reading the child count of <iq>", 4)]
    [InlineData("f80219f802f80119", "<iq> declares 2 children but only 3 bytes remain", 3)]
    [InlineData("f80219fc03", "the content of <iq> declares 3 bytes but only 0 remain", 3)]
    [InlineData("f80219f3", "the content of <iq>: unknown tag 0xf3", 3)]
    public void Read_Malformed_ThrowsWithProblemAndOffset(string hex, string problem, int offset)
    {
        WaProtocolException e = ReadFails(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.Equal(offset, e.Offset);
        Assert.EndsWith($"(at offset {offset}).", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeFrame_OffsetsCountTheFlagByte()
    {
        var e = Assert.Throws<WaProtocolException>(() => NodeDecoder.DecodeFrame(Convert.FromHexString("00f80219f3")));

        Assert.Equal(4, e.Offset);
    }

    [Fact]
    public void DecodeFrame_Empty_Throws()
    {
        var e = Assert.Throws<WaProtocolException>(() => NodeDecoder.DecodeFrame([]));

        Assert.Contains("empty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeFrame_FlagOnly_ThrowsEndOfInput()
    {
        var e = Assert.Throws<WaProtocolException>(() => NodeDecoder.DecodeFrame([0]));

        Assert.Contains("unexpected end of input", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, e.Offset);
    }

    [Fact]
    public void DecodeFrame_CompressedGarbage_ThrowsNotZlib()
    {
        var e = Assert.Throws<WaProtocolException>(() => NodeDecoder.DecodeFrame(Convert.FromHexString("02deadbeefdeadbeef")));

        Assert.Contains("not valid zlib", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeFrame_CompressedError_SaysOffsetIsInTheInflatedNode()
    {
        byte[] frame = NodeCodecTests.Compress(Convert.FromHexString("f80219f3"), flags: 0x02);

        var e = Assert.Throws<WaProtocolException>(() => NodeDecoder.DecodeFrame(frame));

        Assert.Contains("(at offset 3 of the inflated node)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeFrame_ZipBomb_StopsAtTheInflatedLimit()
    {
        // 64 MiB of zeros compresses to about 64 KiB.
        byte[] node = new byte[64 * 1024 * 1024];
        byte[] frame = NodeCodecTests.Compress(node, flags: 0x02);
        var limits = new NodeDecoderLimits { MaxInflatedSize = 1024 * 1024 };

        var e = Assert.Throws<WaProtocolException>(() => NodeDecoder.DecodeFrame(frame, limits));
        Assert.Contains("inflates past the limit of 1048576 bytes", e.Message, StringComparison.Ordinal);
        Assert.Throws<WaProtocolException>(() => NodeDecoder.DecodeFrame(frame));
        Assert.Throws<WaProtocolException>(() => FramePayload.Unpack(frame, limits));
    }

    /// <summary>
    /// Within the size limits, many tiny nodes or attributes would still cost far more heap than
    /// input (issue #9 item 6): the per-frame totals stop them.
    /// </summary>
    [Fact]
    public void Read_TooManyNodesOrAttributesInOneFrame_Throws()
    {
        // <iq> with 300 children of 300 <iq/> each (f8 01 19): 90,301 nodes in ~270 KB.
        var nodes = new List<byte> { 0xf8, 0x02, 0x19, 0xf9, 0x01, 0x2c };
        for (var i = 0; i < 300; i++)
        {
            nodes.AddRange([0xf8, 0x02, 0x19, 0xf9, 0x01, 0x2c]);
            for (var j = 0; j < 300; j++)
            {
                nodes.AddRange([0xf8, 0x01, 0x19]);
            }
        }

        var e = Assert.Throws<WaProtocolException>(() => NodeDecoder.Read(nodes.ToArray()));
        Assert.Contains("more than the limit of 65536 nodes in one frame", e.Message, StringComparison.Ordinal);

        // 100 children with 1000 attributes each (key token, value token): 100,000 attributes.
        var attributes = new List<byte> { 0xf8, 0x02, 0x19, 0xf8, 0x64 };
        for (var i = 0; i < 100; i++)
        {
            attributes.AddRange([0xf9, 0x07, 0xd1, 0x19]); // list of 2001: tag + 1000 pairs
            for (var j = 0; j < 1000; j++)
            {
                attributes.AddRange([0x19, 0x19]);
            }
        }

        e = Assert.Throws<WaProtocolException>(() => NodeDecoder.Read(attributes.ToArray()));
        Assert.Contains("more than the limit of 65536 attributes in one frame", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_InputOverLimit_Throws()
    {
        var limits = new NodeDecoderLimits { MaxInputSize = 4 };

        var e = Assert.Throws<WaProtocolException>(() => NodeDecoder.Read(Convert.FromHexString("f802fc0162fc00"), limits));

        Assert.Contains("exceeds the limit of 4 bytes", e.Message, StringComparison.Ordinal);
        Assert.Throws<WaProtocolException>(() => NodeDecoder.DecodeFrame(Convert.FromHexString("00f802fc0162fc00"), limits));
    }

    [Fact]
    public void Read_DepthAtLimit_DecodesAndOneDeeperThrows()
    {
        var limits = new NodeDecoderLimits { MaxDepth = 10 };
        Node Nest(int depth) => depth == 1 ? new Node("leaf") : new Node("n", null, [Nest(depth - 1)]);

        Assert.Equal(Nest(10), NodeDecoder.Read(NodeEncoder.Encode(Nest(10)), limits));
        var e = Assert.Throws<WaProtocolException>(() => NodeDecoder.Read(NodeEncoder.Encode(Nest(11)), limits));
        Assert.Contains("nested deeper than the limit of 10", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_DefaultDepthLimit_Is64()
    {
        Node Nest(int depth) => depth == 1 ? new Node("leaf") : new Node("n", null, [Nest(depth - 1)]);

        NodeDecoder.Read(NodeEncoder.Encode(Nest(64)));
        Assert.Throws<WaProtocolException>(() => NodeDecoder.Read(NodeEncoder.Encode(Nest(65))));
    }

    [Fact]
    public void Read_ChildrenAndAttributesOverLimit_Throw()
    {
        var limits = new NodeDecoderLimits { MaxChildren = 3, MaxAttributes = 2 };
        byte[] fourChildren = NodeEncoder.Encode(new Node("l", null, Enumerable.Range(0, 4).Select(_ => new Node("i"))));
        byte[] threeAttributes = NodeEncoder.Encode(new Node("a", [new("a", "1"), new("b", "2"), new("c", "3")]));

        Assert.Contains("declares 4 children, more than the limit of 3",
            Assert.Throws<WaProtocolException>(() => NodeDecoder.Read(fourChildren, limits)).Message, StringComparison.Ordinal);
        Assert.Contains("declares 3 attributes, more than the limit of 2",
            Assert.Throws<WaProtocolException>(() => NodeDecoder.Read(threeAttributes, limits)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HugeDeclaredChildCount_FailsBeforeAllocating()
    {
        // LIST_16 with 65535 children and nothing after it.
        WaProtocolException e = ReadFails("f80219f9ffff");

        Assert.Contains("declares 65535 children but only 0 bytes remain", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EveryTruncationOfEveryVector_ThrowsWaProtocolException()
    {
        foreach ((_, string hex, _, _) in TestFiles.ReadVectors("baileys-rc14.txt"))
        {
            byte[] frame = Convert.FromHexString(hex);
            for (int length = 0; length < frame.Length; length++)
            {
                byte[] cut = frame[..length];
                Assert.Throws<WaProtocolException>(() => NodeDecoder.DecodeFrame(cut));
            }
        }
    }

    [Fact]
    public void Encode_TooDeep_ThrowsWaProtocolException()
    {
        Node node = new("leaf");
        for (int i = 0; i < NodeEncoder.MaxDepth; i++)
        {
            node = new Node("n", null, [node]);
        }

        Assert.Throws<WaProtocolException>(() => NodeEncoder.Encode(node));
    }
}
