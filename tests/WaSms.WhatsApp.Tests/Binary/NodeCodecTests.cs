using System.IO.Compression;
using WaSms.WhatsApp.Binary;

namespace WaSms.WhatsApp.Tests.Binary;

/// <summary>Round trips per token class and tag, and the exact bytes at every size boundary.</summary>
public sealed class NodeCodecTests
{
    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    private static Node RoundTrip(Node node)
    {
        Node decoded = NodeDecoder.Read(NodeEncoder.Encode(node));
        Assert.Equal(node, decoded);
        return decoded;
    }

    [Fact]
    public void Tokens_TablesHaveDictionaryV3Shape()
    {
        Assert.Equal(3, TokenDictionary.Version);
        Assert.True(TokenDictionary.TryGetSingle(1, out string? first));
        Assert.Equal("xmlstreamstart", first);
        Assert.True(TokenDictionary.TryGetSingle(235, out string? last));
        Assert.Equal("screen_height", last);
        Assert.False(TokenDictionary.TryGetSingle(0, out _));
        Assert.False(TokenDictionary.TryGetSingle(236, out _));
        Assert.Contains("baileys@7.0.0-rc14", TokenDictionary.Source, StringComparison.Ordinal);
        Assert.Contains("whatsmeow@33cfac5", TokenDictionary.Source, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("s.whatsapp.net", -1, 3)]
    [InlineData("iq", -1, 25)]
    [InlineData("encrypt", -1, 203)]
    [InlineData("active", 0, 1)]
    [InlineData("passive", 0, 24)]
    [InlineData("ref", 1, 80)]
    [InlineData("pair-device", 1, 238)]
    [InlineData("64", 2, 0)]
    [InlineData("1724", 3, 0)]
    public void Tokens_ResearchSamples_HaveTheirIndex(string token, int dictionary, int index)
    {
        Assert.True(TokenDictionary.TryFind(token, out int d, out byte i));
        Assert.Equal((dictionary, index), (d, (int)i));
    }

    [Fact]
    public void Encode_EverySingleByteToken_IsOneByteAndRoundTrips()
    {
        for (int i = 1; i <= 235; i++)
        {
            Assert.True(TokenDictionary.TryGetSingle((byte)i, out string? token));
            var node = new Node(token, [new("x", token)]);

            byte[] bytes = NodeEncoder.Encode(node);

            Assert.Equal($"f803{i:x2}fc0178{i:x2}", Hex(bytes));
            RoundTrip(node);
        }
    }

    [Fact]
    public void Encode_EveryDoubleByteToken_IsDictionaryAndIndexAndRoundTrips()
    {
        for (int d = 0; d < 4; d++)
        {
            for (int i = 0; i < 256; i++)
            {
                Assert.True(TokenDictionary.TryGetDouble(d, (byte)i, out string? token));
                var node = new Node("q", [new("x", token)]);

                byte[] bytes = NodeEncoder.Encode(node);

                Assert.Equal($"f803fc0171fc0178{236 + d:x2}{i:x2}", Hex(bytes));
                RoundTrip(node);
            }
        }
    }

    [Theory]
    [InlineData("98765", "ff8398765f")]
    [InlineData("987654", "ff03987654")]
    [InlineData("0123456789-.", "ff060123456789ab")]
    [InlineData("A", "fb81af")]
    [InlineData("ABCDEF", "fb03abcdef")]
    [InlineData("9F", "fb019f")]
    [InlineData("9F9", "fb829f9f")]
    public void Encode_PackedStrings_UseNibbleOrHex(string value, string expected)
    {
        byte[] bytes = NodeEncoder.Encode(new Node("q", [new("x", value)]));

        Assert.Equal("f803fc0171fc0178" + expected, Hex(bytes));
        RoundTrip(new Node("q", [new("x", value)]));
    }

    [Theory]
    [InlineData('1', 0xff)]
    [InlineData('A', 0xfb)]
    public void Encode_PackedAtMax127_PacksAnd128GoesRaw(char c, int packedTag)
    {
        var at127 = new Node("q", [new("x", new string(c, 127))]);
        var at128 = new Node("q", [new("x", new string(c, 128))]);

        byte[] packed = NodeEncoder.Encode(at127);
        byte[] raw = NodeEncoder.Encode(at128);

        Assert.Equal(packedTag, packed[8]);
        Assert.Equal(0x80 | 64, packed[9]);
        Assert.Equal(8 + 2 + 64, packed.Length);
        Assert.Equal("fc80", Hex(raw[8..10]));
        RoundTrip(at127);
        RoundTrip(at128);
    }

    [Theory]
    [InlineData("abcdef")]
    [InlineData("12a")]
    [InlineData("+1555")]
    [InlineData("héllo")]
    public void Encode_NotPackable_IsRaw(string value)
    {
        byte[] bytes = NodeEncoder.Encode(new Node("q", [new("x", value)]));

        Assert.Equal(0xfc, bytes[8]);
        RoundTrip(new Node("q", [new("x", value)]));
    }

    [Theory]
    [InlineData(0, "fc00")]
    [InlineData(1, "fc01")]
    [InlineData(255, "fcff")]
    [InlineData(256, "fd000100")]
    [InlineData(65536, "fd010000")]
    [InlineData((1 << 20) - 1, "fd0fffff")]
    [InlineData(1 << 20, "fe00100000")]
    [InlineData((1 << 20) + 1, "fe00100001")]
    public void Encode_BinaryContent_UsesShortestLengthTagAtEveryBoundary(int length, string header)
    {
        byte[] payload = new byte[length];
        new Random(length).NextBytes(payload);
        var node = new Node("b", null, NodeContent.FromBytes(payload));

        byte[] bytes = NodeEncoder.Encode(node);

        Assert.Equal("f802fc0162" + header, Hex(bytes[..(5 + (header.Length / 2))]));
        Assert.Equal(5 + (header.Length / 2) + length, bytes.Length);
        RoundTrip(node);
    }

    [Theory]
    [InlineData(255, "fcff")]
    [InlineData(256, "fd000100")]
    [InlineData(1 << 20, "fe00100000")]
    public void Encode_RawStringAttribute_UsesShortestLengthTag(int length, string header)
    {
        var node = new Node("q", [new("x", new string('z', length))]);

        byte[] bytes = NodeEncoder.Encode(node);

        Assert.Equal(header, Hex(bytes[8..(8 + (header.Length / 2))]));
        RoundTrip(node);
    }

    [Theory]
    [InlineData(0, "00")]
    [InlineData(1, "f801")]
    [InlineData(255, "f8ff")]
    [InlineData(256, "f90100")]
    [InlineData(65535, "f9ffff")]
    public void Encode_ChildList_UsesListEmptyList8OrList16(int count, string header)
    {
        var node = new Node("l", null, Enumerable.Range(0, count).Select(_ => new Node("item")));

        byte[] bytes = NodeEncoder.Encode(node);

        Assert.Equal("f802fc016c" + header, Hex(bytes[..(5 + (header.Length / 2))]));
        Node decoded = RoundTrip(node);
        Assert.Equal(NodeContentKind.Nodes, decoded.Content.Kind);
        Assert.Equal(count, decoded.Children.Count);
    }

    [Fact]
    public void Encode_65536Children_ThrowsWaProtocolException()
    {
        var node = new Node("l", null, Enumerable.Range(0, 65536).Select(_ => new Node("item")));

        var e = Assert.Throws<WaProtocolException>(() => NodeEncoder.Encode(node));
        Assert.Contains("65536 children", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(126, false, "f8fd")]
    [InlineData(127, false, "f8ff")]
    [InlineData(127, true, "f90100")]
    public void Encode_AttributeCount_SwitchesToList16At256(int attributes, bool content, string header)
    {
        var node = new Node("a",
            Enumerable.Range(0, attributes).Select(i => new NodeAttribute($"k{i}", "v")),
            content ? NodeContent.FromBytes([1]) : NodeContent.None);

        byte[] bytes = NodeEncoder.Encode(node);

        Assert.Equal(header, Hex(bytes[..(header.Length / 2)]));
        RoundTrip(node);
    }

    public static TheoryData<string, string> JidEncodings() => new()
    {
        // JID_PAIR: user (nibble), server token.
        { "15551234567@s.whatsapp.net", "faff8615551234567f03" },
        // JID_PAIR with an empty user.
        { "@s.whatsapp.net", "fa0003" },
        { "@g.us", "fa001c" },
        // AD_JID: domain 0, device, user.
        { "15551234567:3@s.whatsapp.net", "f70003ff8615551234567f" },
        { "15551234567:0@s.whatsapp.net", "f70000ff8615551234567f" },
        { "15551234567:255@s.whatsapp.net", "f700ffff8615551234567f" },
        // AD_JID domains 1 (lid), 128 (hosted), 129 (hosted.lid), and a raw agent.
        { "123456789012345:7@lid", "f70107ff88123456789012345f" },
        { "1555:99@hosted", "f78063ff021555" },
        { "12345:99@hosted.lid", "f78163ff8312345f" },
        { "15551234567.5:2@s.whatsapp.net", "f70502ff8615551234567f" },
        // AD_JID with an empty user (raw, as Baileys writes "").
        { ":3@s.whatsapp.net", "f70003fc00" },
        // JID_PAIR on hosted without a device (Baileys' choice; whatsmeow would use AD_JID).
        { "1555@hosted", "faff021555fc06686f73746564" },
        // FB_JID: user, uint16 device, server token "msgr".
        { "100000000000001:258@msgr", "f6ff88100000000000001f0102cc" },
        // INTEROP_JID: user, uint16 device, uint16 integrator, server raw "interop".
        { "7-15551234567:1@interop", "f5ff8615551234567f00010007fc07696e7465726f70" },
        // JID_PAIR with raw user and token server.
        { "status@broadcast", "fa0b0d" },
    };

    [Theory]
    [MemberData(nameof(JidEncodings))]
    public void Encode_JidAttribute_UsesItsTagAndRoundTrips(string text, string expected)
    {
        var node = new Node("q", [new("j", Jid.Parse(text))]);

        byte[] bytes = NodeEncoder.Encode(node);

        Assert.Equal("f803fc0171fc016a" + expected, Hex(bytes));
        Node decoded = RoundTrip(node);
        Assert.True(decoded.TryGetAttribute("j", out AttrValue value));
        Assert.Equal(text, value.Jid!.ToString());
    }

    [Fact]
    public void Encode_StringThatLooksLikeJid_StaysAString()
    {
        byte[] bytes = NodeEncoder.Encode(new Node("q", [new("j", "1@s.whatsapp.net")]));

        Assert.Equal(0xfc, bytes[8]);
    }

    [Fact]
    public void Encode_EmptyAttributeValue_IsEmptyBinary8()
    {
        Assert.Equal("f803fc0171fc0178fc00", Hex(NodeEncoder.Encode(new Node("q", [new("x", "")]))));
    }

    [Fact]
    public void EncodeFrame_StartsWithFlagZero()
    {
        byte[] frame = NodeEncoder.EncodeFrame(new Node("iq"));

        Assert.Equal("00f80119", Hex(frame));
        Assert.Equal(new Node("iq"), NodeDecoder.DecodeFrame(frame));
    }

    [Fact]
    public void Decode_NestedTree_RoundTrips()
    {
        Node leaf = new("enc", [new("v", "2"), new("type", "pkmsg")], NodeContent.FromBytes([1, 2, 3]));
        Node tree = leaf;
        for (int i = 0; i < 20; i++)
        {
            tree = new Node("n" + i, [new("participant", Jid.Parse($"1555{i}:{i}@s.whatsapp.net"))], [tree, new Node("empty", null, NodeContent.FromNodes([]))]);
        }

        RoundTrip(tree);
    }

    [Fact]
    public void Decode_CompressedFrame_Inflates()
    {
        var node = new Node("message", [new("from", Jid.Parse("15551234567@s.whatsapp.net"))], NodeContent.FromBytes(new byte[5000]));
        byte[] frame = Compress(NodeEncoder.Encode(node), flags: 0x02);

        Assert.Equal(node, NodeDecoder.DecodeFrame(frame));
        Assert.Equal(NodeEncoder.Encode(node), FramePayload.Unpack(frame));
    }

    [Fact]
    public void Decode_OtherFlagBits_AreIgnored()
    {
        byte[] frame = NodeEncoder.EncodeFrame(new Node("iq"));
        frame[0] = 0xfd; // every bit but the compression bit

        Assert.Equal(new Node("iq"), NodeDecoder.DecodeFrame(frame));
    }

    [Fact]
    public void Decode_NonCanonicalLengths_AreAccepted()
    {
        // LIST_16 for a one-element list, BINARY_20 for a 3-byte string, a high nibble in BINARY_20's length.
        Node node = NodeDecoder.Read(Convert.FromHexString("f90001fd000003616263"));
        Assert.Equal("abc", node.Tag);

        Node masked = NodeDecoder.Read(Convert.FromHexString("f801fdf00003616263"));
        Assert.Equal("abc", masked.Tag);
    }

    [Fact]
    public void Decode_StringContent_BecomesUtf8Bytes()
    {
        // <s>active</s> with the double-byte token, and <j>JID pair</j>.
        Node token = NodeDecoder.Read(Convert.FromHexString("f802fc0173ec01"));
        Node jid = NodeDecoder.Read(Convert.FromHexString("f802fc016afaff8615551234567f03"));

        Assert.Equal("active"u8.ToArray(), token.Content.Bytes.ToArray());
        Assert.Equal("15551234567@s.whatsapp.net"u8.ToArray(), jid.Content.Bytes.ToArray());
    }

    [Fact]
    public void Decode_RepeatedAttribute_KeepsFirstPositionAndLastValue()
    {
        // <t a="1" b="2" a="3"/>
        Node node = NodeDecoder.Read(Convert.FromHexString("f807fc0174fc0161ff811ffc0162ff812ffc0161ff813f"));

        Assert.Equal(["a", "b"], node.Attributes.Select(a => a.Key));
        Assert.Equal("3", node.Attributes[0].Value.Text);
    }

    [Fact]
    public void Decode_ListEmptyAttributeValue_IsEmptyString()
    {
        Node node = NodeDecoder.Read(Convert.FromHexString("f803fc0171fc016100"));

        Assert.Equal(string.Empty, node.Attributes[0].Value.Text);
    }

    internal static byte[] Compress(byte[] node, byte flags)
    {
        using var output = new MemoryStream();
        output.WriteByte(flags);
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(node);
        }

        return output.ToArray();
    }
}
