using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace WaSms.WhatsApp.Binary;

/// <summary>
/// XML-like text of a node for logs and test failures: attributes in wire order, JIDs in their
/// text form, printable UTF-8 content as text, other bytes as a hex comment (or only their count
/// when longer than <see cref="MaxBytesAsHex"/>). Not meant to be parsed back; use NodeJson for that.
/// </summary>
internal static class NodeXml
{
    /// <summary>Longest binary content printed as hex.</summary>
    public const int MaxBytesAsHex = 128;

    public static string Render(Node node)
    {
        var builder = new StringBuilder();
        Append(builder, node, 1);
        return builder.ToString();
    }

    private static void Append(StringBuilder builder, Node node, int depth)
    {
        if (depth > NodeEncoder.MaxDepth)
        {
            builder.Append("<!-- deeper nodes omitted -->");
            return;
        }

        builder.Append('<').Append(node.Tag);
        foreach (NodeAttribute attribute in node.Attributes)
        {
            builder.Append(' ').Append(attribute.Key).Append("=\"");
            AppendEscaped(builder, attribute.Value.ToString());
            builder.Append('"');
        }

        switch (node.Content.Kind)
        {
            case NodeContentKind.None:
                builder.Append("/>");
                return;
            case NodeContentKind.Nodes:
                builder.Append('>');
                foreach (Node child in node.Children)
                {
                    Append(builder, child, depth + 1);
                }

                break;
            default:
                builder.Append('>');
                AppendBytes(builder, node.Content.Bytes.Span);
                break;
        }

        builder.Append("</").Append(node.Tag).Append('>');
    }

    private static void AppendBytes(StringBuilder builder, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > 0 && Utf8.IsValid(bytes))
        {
            string text = Encoding.UTF8.GetString(bytes);
            if (!text.Any(char.IsControl))
            {
                AppendEscaped(builder, text);
                return;
            }
        }

        builder.Append("<!-- ").Append(bytes.Length.ToString(CultureInfo.InvariantCulture)).Append(" bytes");
        if (bytes.Length is > 0 and <= MaxBytesAsHex)
        {
            builder.Append(": ").Append(Convert.ToHexStringLower(bytes));
        }

        builder.Append(" -->");
    }

    private static void AppendEscaped(StringBuilder builder, string text)
    {
        foreach (char c in text)
        {
            if (EntityOf(c) is { } entity)
            {
                builder.Append(entity);
            }
            else if (char.IsControl(c))
            {
                builder.Append("&#x").Append(((int)c).ToString("x", CultureInfo.InvariantCulture)).Append(';');
            }
            else
            {
                builder.Append(c);
            }
        }
    }

    private static string? EntityOf(char c) => c switch
    {
        '&' => "&amp;",
        '<' => "&lt;",
        '>' => "&gt;",
        '"' => "&quot;",
        _ => null,
    };
}
