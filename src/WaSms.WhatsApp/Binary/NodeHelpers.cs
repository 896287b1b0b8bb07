using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace WaSms.WhatsApp.Binary;

/// <summary>Small readers for node attributes used by the client, pairing and the emulator.</summary>
internal static class NodeHelpers
{
    /// <summary>The attribute as text (a JID rendered as text), or null.</summary>
    public static string? Attr(this Node node, string key) =>
        node.TryGetAttribute(key, out var value) ? value.Jid?.ToString() ?? value.Text : null;

    /// <summary>The attribute as a JID (parsed when it was sent as a string), or null.</summary>
    public static Jid? JidAttr(this Node node, string key)
    {
        if (!node.TryGetAttribute(key, out var value))
        {
            return null;
        }

        return value.Jid ?? (Jid.TryParse(value.Text, out var parsed) ? parsed : null);
    }

    /// <summary>The attribute as an integer.</summary>
    public static bool TryIntAttr(this Node node, string key, out int result)
    {
        result = 0;
        return node.Attr(key) is { } text && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out result);
    }

    /// <summary>The first child with <paramref name="tag"/> whose content is bytes.</summary>
    public static bool TryGetBytesChild(this Node node, string tag, [NotNullWhen(true)] out byte[]? bytes)
    {
        bytes = null;
        if (node.TryGetChild(tag, out var child) && child.Content.Kind == NodeContentKind.Bytes)
        {
            bytes = child.Content.Bytes.ToArray();
            return true;
        }

        return false;
    }

    /// <summary>Builds a node from key/value pairs (string or JID values).</summary>
    public static Node Make(string tag, params ReadOnlySpan<(string Key, AttrValue Value)> attributes) =>
        new(tag, ToAttributes(attributes));

    /// <summary>Builds a node with children.</summary>
    public static Node Make(string tag, (string Key, AttrValue Value)[] attributes, params Node[] children) =>
        new(tag, ToAttributes(attributes), children);

    /// <summary>Builds a node with bytes content.</summary>
    public static Node MakeBytes(string tag, (string Key, AttrValue Value)[] attributes, ReadOnlySpan<byte> content) =>
        new(tag, ToAttributes(attributes), NodeContent.FromBytes(content));

    private static NodeAttribute[] ToAttributes(ReadOnlySpan<(string Key, AttrValue Value)> attributes)
    {
        var result = new NodeAttribute[attributes.Length];
        for (var i = 0; i < attributes.Length; i++)
        {
            result[i] = new NodeAttribute(attributes[i].Key, attributes[i].Value);
        }

        return result;
    }
}
