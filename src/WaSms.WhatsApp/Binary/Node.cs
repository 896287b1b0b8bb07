using System.Diagnostics.CodeAnalysis;

namespace WaSms.WhatsApp.Binary;

/// <summary>
/// One element of WhatsApp's binary XML: a tag, ordered attributes (string or JID values) and
/// optional content (child nodes or bytes). Immutable; equality compares the whole tree.
/// <see cref="ToString"/> prints XML for logs. See docs/protocol/binary-nodes.md §4.
/// </summary>
public sealed class Node : IEquatable<Node>
{
    private readonly NodeAttribute[] _attributes;

    /// <summary>Creates a node.</summary>
    /// <param name="tag">The tag; not empty.</param>
    /// <param name="attributes">Attributes in wire order; keys not empty and unique.</param>
    /// <param name="content">The content; <see cref="NodeContent.None"/> by default.</param>
    /// <exception cref="ArgumentException">An empty tag or key, or a repeated key.</exception>
    public Node(string tag, IEnumerable<NodeAttribute>? attributes = null, NodeContent content = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        NodeAttribute[] copy = attributes is null ? [] : [.. attributes];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (NodeAttribute attribute in copy)
        {
            if (string.IsNullOrEmpty(attribute.Key))
            {
                throw new ArgumentException($"Node <{tag}> has an attribute with an empty key.", nameof(attributes));
            }

            if (!seen.Add(attribute.Key))
            {
                throw new ArgumentException($"Node <{tag}> has the attribute '{attribute.Key}' twice.", nameof(attributes));
            }
        }

        Tag = tag;
        _attributes = copy;
        Content = content;
    }

    /// <summary>Creates a node whose content is a list of children.</summary>
    public Node(string tag, IEnumerable<NodeAttribute>? attributes, IEnumerable<Node> children)
        : this(tag, attributes, NodeContent.FromNodes(children))
    {
    }

    private Node(string tag, NodeAttribute[] attributes, NodeContent content, bool validated)
    {
        _ = validated;
        Tag = tag;
        _attributes = attributes;
        Content = content;
    }

    /// <summary>The tag, e.g. <c>iq</c>.</summary>
    public string Tag { get; }

    /// <summary>The attributes in wire order.</summary>
    public IReadOnlyList<NodeAttribute> Attributes => _attributes;

    /// <summary>The content.</summary>
    public NodeContent Content { get; }

    /// <summary>The child nodes; empty when the content is not a list.</summary>
    public IReadOnlyList<Node> Children => Content.Nodes;

    /// <summary>Finds an attribute by key.</summary>
    public bool TryGetAttribute(string key, out AttrValue value)
    {
        foreach (NodeAttribute attribute in _attributes)
        {
            if (string.Equals(attribute.Key, key, StringComparison.Ordinal))
            {
                value = attribute.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>The first child with <paramref name="tag"/>, or false.</summary>
    public bool TryGetChild(string tag, [NotNullWhen(true)] out Node? child)
    {
        foreach (Node node in Children)
        {
            if (string.Equals(node.Tag, tag, StringComparison.Ordinal))
            {
                child = node;
                return true;
            }
        }

        child = null;
        return false;
    }

    /// <summary>XML for logs, e.g. <c>&lt;iq id="1" to="@s.whatsapp.net"&gt;&lt;ping/&gt;&lt;/iq&gt;</c>.</summary>
    public override string ToString() => NodeXml.Render(this);

    /// <inheritdoc />
    public bool Equals(Node? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || (string.Equals(Tag, other.Tag, StringComparison.Ordinal)
                && _attributes.AsSpan().SequenceEqual(other._attributes)
                && Content.Equals(other.Content)));

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Node other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Tag, StringComparer.Ordinal);
        foreach (NodeAttribute attribute in _attributes)
        {
            hash.Add(attribute);
        }

        hash.Add(Content);
        return hash.ToHashCode();
    }

    /// <summary>Creates a node from parts the decoder has already checked (no copies, no checks).</summary>
    internal static Node CreateTrusted(string tag, NodeAttribute[] attributes, NodeContent content) =>
        new(tag, attributes, content, validated: true);
}
