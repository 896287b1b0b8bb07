using System.Globalization;
using System.Text;
using System.Text.Json;
using WaSms.WhatsApp.Binary;

namespace WaSms.WhatsApp.Tests.Binary;

/// <summary>One conformance case for the Baileys oracle.</summary>
/// <param name="Name">What the case covers.</param>
/// <param name="Ours">A node we encode (null for a Baileys-only case).</param>
/// <param name="BaileysEncodes">Whether Baileys is also given the node (as NodeJson text) to encode;
/// false for what its string-based JIDs cannot express (msgr, interop, raw agents).</param>
/// <param name="BaileysNodeJson">For a Baileys-only case: the node in the oracle's input shape, with {"text"} content.</param>
/// <param name="Expected">For a Baileys-only case: what our decoder must make of Baileys' bytes.</param>
/// <param name="Compress">Send our frame zlib-compressed (flag 0x02) instead of plain.</param>
internal sealed record OracleCase(
    string Name,
    Node? Ours,
    bool BaileysEncodes,
    string? BaileysNodeJson = null,
    Node? Expected = null,
    bool Compress = false);

/// <summary>The generated corpus: every tag type, token class, JID kind, size boundary and some nesting.</summary>
internal static class OracleCorpus
{
    public static IReadOnlyList<OracleCase> Build()
    {
        var cases = new List<OracleCase>();
        void Add(string name, Node node, bool baileysEncodes = true) => cases.Add(new OracleCase(name, node, baileysEncodes));

        // Token classes: every single-byte and double-byte token, as attribute values and as tags.
        Add("single-byte tokens as values", new Node("tokens",
            Enumerable.Range(1, 235).Select(i => new NodeAttribute($"k{i}", Single(i)))));
        Add("single-byte tokens as tags", new Node("tokens", null,
            Enumerable.Range(1, 235).Select(i => new Node(Single(i)))));
        for (int d = 0; d < 4; d++)
        {
            int dictionary = d;
            Add($"double-byte dictionary {d} as values", new Node("tokens",
                Enumerable.Range(0, 256).Select(i => new NodeAttribute($"k{i}", Double(dictionary, i)))));
            Add($"double-byte dictionary {d} as tags", new Node("tokens", null,
                Enumerable.Range(0, 256).Select(i => new Node(Double(dictionary, i)))));
        }

        // Packed strings at every length class, and strings that must stay raw.
        foreach (int length in new[] { 1, 2, 3, 126, 127, 128 })
        {
            Add($"nibble string of {length}", Attr("0123456789-.", length));
            Add($"hex string of {length}", Attr("0123456789ABCDEF", length));
        }

        Add("raw strings", new Node("raw",
        [
            new("empty", ""), new("lower-hex", "abcdef"), new("mixed", "12AB-"), new("plus", "+15551234567"),
            new("utf8", "Zoë ✓ 漢字 😀"), new("spaces", "hello world"), new("r255", new string('r', 255)),
            new("r256", new string('r', 256)), new("r65536", new string('r', 65536)),
        ]));
        Add("raw string at BINARY_32", new Node("raw", [new("big", new string('z', 1 << 20))]));

        // Every JID kind.
        string[] baileysJids =
        [
            "15551234567@s.whatsapp.net", "15551234567:3@s.whatsapp.net", "15551234567:0@s.whatsapp.net",
            "15551234567:255@s.whatsapp.net", "123456789012345@lid", "123456789012345:7@lid", "123456789012345:0@lid",
            "120363012345678901@g.us", "15551234567-1600000000@g.us", "status@broadcast", "1600000000@broadcast",
            "120363000000000001@newsletter", "1555:99@hosted", "1555:0@hosted", "1555@hosted", "12345:99@hosted.lid",
            "867051314767696@bot", "16505361212@c.us", "@s.whatsapp.net", "@g.us", "@broadcast", "@lid", "@c.us",
            ":3@s.whatsapp.net", "ABCDEF@s.whatsapp.net", "abc@s.whatsapp.net", "0@s.whatsapp.net", "0@c.us",
        ];
        foreach (string jid in baileysJids)
        {
            Add($"JID {jid}", new Node("jid", [new("jid", Jid.Parse(jid))]));
        }

        Add("JIDs together", new Node("jids", baileysJids.Select((j, i) => new NodeAttribute($"j{i}", Jid.Parse(j)))));

        // Tags Baileys can decode but not encode from a string: FB_JID, INTEROP_JID, raw agents.
        foreach (string jid in new[] { "100000000000001:258@msgr", "100000000000001:0@msgr", "7-15551234567:1@interop", "65535-abc:65535@interop", "15551234567.5:2@s.whatsapp.net" })
        {
            Add($"JID {jid} (we encode, Baileys decodes)", new Node("jid", [new("jid", Jid.Parse(jid))]), baileysEncodes: false);
        }

        // Binary content at every length boundary.
        foreach (int length in new[] { 0, 1, 255, 256, 65535, (1 << 20) - 1, 1 << 20, (1 << 20) + 1 })
        {
            byte[] bytes = new byte[length];
            new Random(length).NextBytes(bytes);
            Add($"binary content of {length}", new Node("enc", [new("v", "2"), new("type", "pkmsg")], NodeContent.FromBytes(bytes)));
        }

        // Lists: empty, LIST_8 and LIST_16 boundaries, attribute count at the LIST_16 switch, nesting.
        foreach (int count in new[] { 0, 1, 255, 256, 65535 })
        {
            Add($"list of {count} children", new Node("list", null, Enumerable.Range(0, count).Select(i => new Node("item", [new("id", $"{i}")]))));
        }

        Add("127 attributes and content (LIST_16 node)", new Node("attrs",
            Enumerable.Range(0, 127).Select(i => new NodeAttribute($"a{i}", "v")), NodeContent.FromBytes([1, 2, 3])));
        Node nested = new("enc", [new("v", "2")], NodeContent.FromBytes([7, 7, 7]));
        for (int i = 0; i < 30; i++)
        {
            nested = new Node(i % 2 == 0 ? "iq" : "item", [new("to", Jid.Parse($"1555{i}:{i % 5}@s.whatsapp.net"))], [nested, new Node("empty", null, [])]);
        }

        Add("30 levels of nesting", nested);
        Add("stream end", new Node("xmlstreamend"));

        // Seeded random trees.
        var random = new RandomNodes(0x0AC1E);
        for (int i = 0; i < 300; i++)
        {
            Node node = InJavaScriptKeyOrder(random.Next());
            Add($"random tree {i}", node, baileysEncodes: BaileysCanEncode(node));
        }

        // Compressed frames (flag 0x02) that Baileys must inflate.
        cases.Add(new OracleCase("compressed iq", new Node("iq", [new("id", "1"), new("to", Jid.WhatsAppServer)], [new Node("ping")]), false, Compress: true));
        cases.Add(new OracleCase("compressed binary", new Node("enc", null, NodeContent.FromBytes(new byte[10000])), false, Compress: true));

        // String content Baileys writes with the string rules; our model decodes it to UTF-8 bytes.
        foreach (string text in new[] { "result", "active", "5551234", "ABCD", "+1555", "", "hello world",
                                         "15551234567@s.whatsapp.net", "@s.whatsapp.net", "123:4@lid", "1:0@s.whatsapp.net", "1555@hosted" })
        {
            cases.Add(new OracleCase($"Baileys string content '{text}'", null, true,
                BaileysNodeJson: $"{{\"tag\": \"text\", \"attrs\": {{}}, \"content\": {{\"text\": {Quote(text)}}}}}",
                Expected: new Node("text", null, NodeContent.FromText(text))));
        }

        return cases;
    }

    /// <summary>How Baileys renders an attribute after decoding (its jidEncode; docs §5.3).</summary>
    public static string BaileysText(AttrValue value)
    {
        if (value.Jid is not { } jid)
        {
            return value.Text!;
        }

        return jid.Server switch
        {
            JidServer.Messenger => $"{jid.User}:{jid.Device ?? 0}@{jid.Server}",
            JidServer.Interop => $"{jid.Integrator}-{jid.User}:{jid.Device ?? 0}@{jid.Server}",
            // AD_JID: Baileys drops a raw agent and a device of 0.
            _ when jid.Device is { } device => $"{jid.User}{(device != 0 ? $":{device}" : string.Empty)}@{jid.Server}",
            _ => $"{jid.User}@{jid.Server}",
        };
    }

    /// <summary>
    /// Baileys takes attributes from a JavaScript object, which lists integer-like keys ("703") first,
    /// in numeric order. Put a node's attributes in that order so that byte comparisons are fair.
    /// </summary>
    private static Node InJavaScriptKeyOrder(Node node)
    {
        var ordered = node.Attributes.Where(a => IsArrayIndex(a.Key)).OrderBy(a => ulong.Parse(a.Key, CultureInfo.InvariantCulture))
            .Concat(node.Attributes.Where(a => !IsArrayIndex(a.Key)));
        NodeContent content = node.Content.Kind == NodeContentKind.Nodes
            ? NodeContent.FromNodes(node.Children.Select(InJavaScriptKeyOrder))
            : node.Content;
        return new Node(node.Tag, ordered, content);
    }

    private static bool IsArrayIndex(string key) =>
        key.Length is > 0 and <= 10 && key.All(char.IsAsciiDigit) && (key == "0" || key[0] != '0')
        && ulong.Parse(key, CultureInfo.InvariantCulture) < uint.MaxValue;

    private static bool BaileysCanEncode(Node node) =>
        node.Attributes.All(a => a.Value.Jid is not { } jid
            || (jid.Server is not (JidServer.Messenger or JidServer.Interop) && jid.Agent == 0))
        && node.Children.All(BaileysCanEncode);

    private static Node Attr(string alphabet, int length)
    {
        var text = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            text.Append(alphabet[(i * 7) % alphabet.Length]);
        }

        return new Node("packed", [new("v", text.ToString())]);
    }

    private static string Single(int index) =>
        TokenDictionary.TryGetSingle((byte)index, out string? token) ? token : throw new InvalidOperationException();

    private static string Double(int dictionary, int index) =>
        TokenDictionary.TryGetDouble(dictionary, (byte)index, out string? token) ? token : throw new InvalidOperationException();

    private static string Quote(string text) => $"\"{JsonEncodedText.Encode(text)}\"";
}
