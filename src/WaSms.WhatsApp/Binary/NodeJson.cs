using System.Globalization;
using System.Text;
using System.Text.Json;

namespace WaSms.WhatsApp.Binary;

/// <summary>
/// JSON for diagnostics, one line in this exact shape:
/// <c>{"tag": "iq", "attrs": {"id": "1", "to": "@s.whatsapp.net"}, "content": C}</c>
/// where C is an array of such nodes, or <c>{"base64": "..."}</c> for bytes (string content on the
/// wire has already become bytes), and is absent when the node has no content. <c>attrs</c> is always
/// present and keeps wire order. JIDs are written in their text form (<see cref="Jid.ToString"/>).
/// </summary>
/// <remarks>
/// <see cref="FromJson"/> reads an attribute value as a JID when it contains '@' and parses as one
/// (<see cref="Jid.TryParse(string?, out Jid?)"/>), which is the rule Baileys' encoder applies to its
/// string attributes (no token contains '@'). So <c>"15551234567:3@s.whatsapp.net"</c> and
/// <c>"@s.whatsapp.net"</c> become JIDs, while <c>"s.whatsapp.net"</c> stays the token string.
/// Decoding, <see cref="ToJson"/>, <see cref="FromJson"/> and encoding again gives the same bytes,
/// except where the decoder normalises (docs/protocol/binary-nodes.md §6).
/// </remarks>
public static class NodeJson
{
    private static readonly JsonDocumentOptions s_options = new()
    {
        // Each node level is an object inside a content array: two JSON levels per node.
        MaxDepth = (NodeDecoderLimits.Default.MaxDepth * 2) + 2,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    /// <summary>The node as one line of JSON in the shape described on the type.</summary>
    public static string ToJson(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var builder = new StringBuilder();
        AppendNode(builder, node, 1);
        return builder.ToString();
    }

    /// <summary>Reads a node from JSON in the shape <see cref="ToJson"/> writes.</summary>
    /// <exception cref="FormatException">Not JSON, or not that shape; the message names the JSON path.</exception>
    public static Node FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, s_options);
        }
        catch (JsonException e)
        {
            throw new FormatException($"Not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            return ParseNode(document.RootElement, "$");
        }
    }

    private static void AppendNode(StringBuilder builder, Node node, int depth)
    {
        if (depth > NodeEncoder.MaxDepth)
        {
            throw new WaProtocolException($"Cannot render <{node.Tag}> as JSON: nodes are nested deeper than {NodeEncoder.MaxDepth}.");
        }

        builder.Append("{\"tag\": ");
        AppendString(builder, node.Tag);
        builder.Append(", \"attrs\": {");
        bool first = true;
        foreach (NodeAttribute attribute in node.Attributes)
        {
            if (!first)
            {
                builder.Append(", ");
            }

            first = false;
            AppendString(builder, attribute.Key);
            builder.Append(": ");
            AppendString(builder, attribute.Value.ToString());
        }

        builder.Append('}');
        switch (node.Content.Kind)
        {
            case NodeContentKind.Nodes:
                builder.Append(", \"content\": [");
                for (int i = 0; i < node.Children.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(", ");
                    }

                    AppendNode(builder, node.Children[i], depth + 1);
                }

                builder.Append(']');
                break;
            case NodeContentKind.Bytes:
                builder.Append(", \"content\": {\"base64\": \"")
                    .Append(Convert.ToBase64String(node.Content.Bytes.Span))
                    .Append("\"}");
                break;
            default:
                break;
        }

        builder.Append('}');
    }

    private static void AppendString(StringBuilder builder, string value)
    {
        builder.Append('"');
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (ShortEscape(c) is { } escape)
            {
                builder.Append(escape);
            }
            else if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                builder.Append(c).Append(value[++i]);
            }
            else if (c < ' ' || char.IsSurrogate(c))
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        builder.Append('"');
    }

    /// <summary>JSON's two-character escapes (RFC 8259 §7); other control characters and lone surrogates become \uXXXX.</summary>
    private static string? ShortEscape(char c) => c switch
    {
        '"' => "\\\"",
        '\\' => "\\\\",
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        '\b' => "\\b",
        '\f' => "\\f",
        _ => null,
    };

    private static Node ParseNode(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{path}: expected a node object {{\"tag\": ..., \"attrs\": {{...}}, \"content\": ...}}, found {Describe(element)}.");
        }

        string? tag = null;
        List<NodeAttribute> attributes = [];
        NodeContent content = NodeContent.None;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty property in element.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                throw new FormatException($"{path}: the property \"{property.Name}\" appears twice.");
            }

            switch (property.Name)
            {
                case "tag":
                    tag = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                    if (string.IsNullOrEmpty(tag))
                    {
                        throw new FormatException($"{path}.tag: expected a non-empty string, found {Describe(property.Value)}.");
                    }

                    break;
                case "attrs":
                    ParseAttributes(property.Value, $"{path}.attrs", attributes);
                    break;
                case "content":
                    content = ParseContent(property.Value, $"{path}.content");
                    break;
                default:
                    throw new FormatException($"{path}: unknown property \"{property.Name}\" (a node has \"tag\", \"attrs\" and \"content\").");
            }
        }

        if (tag is null)
        {
            throw new FormatException($"{path}: the node has no \"tag\".");
        }

        return new Node(tag, attributes, content);
    }

    private static void ParseAttributes(JsonElement element, string path, List<NodeAttribute> attributes)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{path}: expected an object of string values, found {Describe(element)}.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty property in element.EnumerateObject())
        {
            string where = $"{path}.{property.Name}";
            if (property.Name.Length == 0)
            {
                throw new FormatException($"{path}: an attribute key is empty.");
            }

            if (!seen.Add(property.Name))
            {
                throw new FormatException($"{where}: the attribute appears twice.");
            }

            if (property.Value.ValueKind != JsonValueKind.String)
            {
                throw new FormatException($"{where}: expected a string (JIDs are strings too), found {Describe(property.Value)}.");
            }

            attributes.Add(new NodeAttribute(property.Name, ToAttrValue(property.Value.GetString()!)));
        }
    }

    /// <summary>The JID rule described on the type.</summary>
    internal static AttrValue ToAttrValue(string text) =>
        text.Contains('@', StringComparison.Ordinal) && Jid.TryParse(text, out Jid? jid) ? jid : text;

    private static NodeContent ParseContent(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Null:
                return NodeContent.None;
            case JsonValueKind.Array:
                var children = new List<Node>(element.GetArrayLength());
                int i = 0;
                foreach (JsonElement child in element.EnumerateArray())
                {
                    children.Add(ParseNode(child, $"{path}[{i++}]"));
                }

                return NodeContent.FromNodes(children);
            case JsonValueKind.Object:
                string? base64 = null;
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    if (property.Name != "base64" || base64 is not null || property.Value.ValueKind != JsonValueKind.String)
                    {
                        throw new FormatException($"{path}: binary content must be exactly {{\"base64\": \"...\"}}.");
                    }

                    base64 = property.Value.GetString()!;
                }

                if (base64 is null)
                {
                    throw new FormatException($"{path}: binary content must be exactly {{\"base64\": \"...\"}}.");
                }

                try
                {
                    return NodeContent.FromBytes(Convert.FromBase64String(base64));
                }
                catch (FormatException e)
                {
                    throw new FormatException($"{path}.base64: not valid base64 ({e.Message}).", e);
                }

            default:
                throw new FormatException($"{path}: expected an array of nodes or {{\"base64\": \"...\"}}, found {Describe(element)}.");
        }
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
