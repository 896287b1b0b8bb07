using WaSms.WhatsApp.Binary;

namespace WaSms.WhatsApp.Tests.Binary;

public sealed class NodeJsonTests
{
    [Fact]
    public void ToJson_IqWithChild_HasTheExactShape()
    {
        var node = new Node("iq", [new("id", "1"), new("to", "s.whatsapp.net")], [new Node("ping")]);

        Assert.Equal(
            """{"tag": "iq", "attrs": {"id": "1", "to": "s.whatsapp.net"}, "content": [{"tag": "ping", "attrs": {}}]}""",
            NodeJson.ToJson(node));
    }

    [Fact]
    public void ToJson_NoContent_OmitsContentAndKeepsEmptyAttrs()
    {
        Assert.Equal("""{"tag": "ping", "attrs": {}}""", NodeJson.ToJson(new Node("ping")));
    }

    [Fact]
    public void ToJson_EmptyChildList_IsEmptyArray()
    {
        Assert.Equal("""{"tag": "list", "attrs": {}, "content": []}""", NodeJson.ToJson(new Node("list", null, [])));
    }

    [Fact]
    public void ToJson_Bytes_AreBase64Object()
    {
        var node = new Node("enc", [new("v", "2"), new("type", "pkmsg")], NodeContent.FromBytes([0x33, 1, 2, 3]));

        Assert.Equal("""{"tag": "enc", "attrs": {"v": "2", "type": "pkmsg"}, "content": {"base64": "MwECAw=="}}""", NodeJson.ToJson(node));
    }

    [Fact]
    public void ToJson_EmptyBytes_IsEmptyBase64()
    {
        Assert.Equal("""{"tag": "b", "attrs": {}, "content": {"base64": ""}}""", NodeJson.ToJson(new Node("b", null, NodeContent.FromBytes([]))));
    }

    [Fact]
    public void ToJson_Jids_AreTheirTextForm()
    {
        var node = new Node("message",
        [
            new("to", Jid.Parse("15551234567@s.whatsapp.net")),
            new("participant", Jid.Parse("123456789:7@lid")),
            new("device", Jid.Parse("15551234567:3@s.whatsapp.net")),
            new("server", Jid.WhatsAppServer),
        ]);

        Assert.Equal(
            """{"tag": "message", "attrs": {"to": "15551234567@s.whatsapp.net", "participant": "123456789:7@lid", "device": "15551234567:3@s.whatsapp.net", "server": "@s.whatsapp.net"}}""",
            NodeJson.ToJson(node));
    }

    [Fact]
    public void ToJson_Strings_AreEscaped()
    {
        var node = new Node("t\"ag", [new("k", "a\"b\\c\nd\te\u0001f Zoë ✓ 😀")]);

        Assert.Equal("""{"tag": "t\"ag", "attrs": {"k": "a\"b\\c\nd\te\u0001f Zoë ✓ 😀"}}""", NodeJson.ToJson(node));
    }

    [Fact]
    public void ToJson_LoneSurrogate_IsEscapedSoTheOutputIsValid()
    {
        string json = NodeJson.ToJson(new Node("t", [new("k", "a\ud800b")]));

        Assert.Equal("""{"tag": "t", "attrs": {"k": "a\ud800b"}}""", json);
    }

    [Theory]
    [InlineData("15551234567@s.whatsapp.net", true)]
    [InlineData("15551234567:0@s.whatsapp.net", true)]
    [InlineData("@s.whatsapp.net", true)]
    [InlineData("123456789:7@lid", true)]
    [InlineData("7-1:2@interop", true)]
    [InlineData("someone@example.com", true)]
    [InlineData("s.whatsapp.net", false)]
    [InlineData("g.us", false)]
    [InlineData("a@b@c", false)]
    [InlineData("x:abc@s.whatsapp.net", false)]
    [InlineData("x:1@g.us", false)]
    [InlineData("hello", false)]
    public void FromJson_AttributeWithAtThatParses_IsAJid(string value, bool isJid)
    {
        Node node = NodeJson.FromJson($$$"""{"tag": "t", "attrs": {"k": "{{{value}}}"}}""");

        Assert.Equal(isJid, node.Attributes[0].Value.IsJid);
        Assert.Equal(value, node.Attributes[0].Value.ToString());
    }

    [Fact]
    public void FromJson_ToJson_RoundTrips()
    {
        var node = new Node("iq",
            [new("id", "1"), new("to", Jid.WhatsAppServer), new("type", "get"), new("empty", ""), new("esc", "\"\\\n")],
            [
                new Node("list", null, []),
                new Node("enc", [new("jid", Jid.Parse("1:2@lid"))], NodeContent.FromBytes([0, 255, 7])),
                new Node("none"),
            ]);

        Assert.Equal(node, NodeJson.FromJson(NodeJson.ToJson(node)));
    }

    [Fact]
    public void FromJson_AcceptsAnyWhitespaceAndMissingAttrs()
    {
        Node node = NodeJson.FromJson("""
            {
              "tag": "iq",
              "content": [ { "tag": "ping" } ]
            }
            """);

        Assert.Equal(new Node("iq", null, [new Node("ping")]), node);
    }

    [Theory]
    [InlineData("not json", "Not valid JSON")]
    [InlineData("[]", "$: expected a node object")]
    [InlineData("""{"attrs": {}}""", "$: the node has no \"tag\"")]
    [InlineData("""{"tag": ""}""", "$.tag: expected a non-empty string")]
    [InlineData("""{"tag": 5}""", "$.tag: expected a non-empty string, found a number")]
    [InlineData("""{"tag": "a", "tag": "b"}""", "the property \"tag\" appears twice")]
    [InlineData("""{"tag": "a", "extra": 1}""", "unknown property \"extra\"")]
    [InlineData("""{"tag": "a", "attrs": []}""", "$.attrs: expected an object of string values")]
    [InlineData("""{"tag": "a", "attrs": {"k": 1}}""", "$.attrs.k: expected a string")]
    [InlineData("""{"tag": "a", "attrs": {"": "v"}}""", "an attribute key is empty")]
    [InlineData("""{"tag": "a", "attrs": {"k": "1", "k": "2"}}""", "$.attrs.k: the attribute appears twice")]
    [InlineData("""{"tag": "a", "content": "text"}""", "$.content: expected an array of nodes or {\"base64\"")]
    [InlineData("""{"tag": "a", "content": {"hex": "00"}}""", "$.content: binary content must be exactly")]
    [InlineData("""{"tag": "a", "content": {"base64": "***"}}""", "$.content.base64: not valid base64")]
    [InlineData("""{"tag": "a", "content": [{"tag": "b"}, 3]}""", "$.content[1]: expected a node object")]
    [InlineData("""{"tag": "a", "content": [{"tag": "b", "content": [{"attrs": {}}]}]}""", "$.content[0].content[0]: the node has no \"tag\"")]
    public void FromJson_Invalid_ThrowsFormatExceptionNamingThePath(string json, string problem)
    {
        var e = Assert.Throws<FormatException>(() => NodeJson.FromJson(json));

        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromJson_TooDeep_ThrowsFormatException()
    {
        string json = """{"tag": "leaf"}""";
        for (int i = 0; i < 80; i++)
        {
            json = $$"""{"tag": "n", "content": [{{json}}]}""";
        }

        Assert.Throws<FormatException>(() => NodeJson.FromJson(json));
    }

    [Fact]
    public void ToString_IsReadableXml()
    {
        var node = new Node("iq", [new("id", "1"), new("to", Jid.WhatsAppServer), new("q", "a<b&\"c\"")],
        [
            new Node("ping"),
            new Node("text", null, NodeContent.FromText("hello")),
            new Node("bin", null, NodeContent.FromBytes([0, 1, 0xff])),
            new Node("big", null, NodeContent.FromBytes(new byte[200])),
            new Node("list", null, []),
        ]);

        Assert.Equal(
            "<iq id=\"1\" to=\"@s.whatsapp.net\" q=\"a&lt;b&amp;&quot;c&quot;\"><ping/><text>hello</text>"
            + "<bin><!-- 3 bytes: 0001ff --></bin><big><!-- 200 bytes --></big><list></list></iq>",
            node.ToString());
    }
}
