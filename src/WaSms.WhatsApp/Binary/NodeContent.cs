using System.Text;

namespace WaSms.WhatsApp.Binary;

/// <summary>
/// The content of a <see cref="Node"/>: none, a list of child nodes, or bytes.
/// <c>default</c> is <see cref="None"/>. Equality compares children and bytes by value.
/// </summary>
public readonly struct NodeContent : IEquatable<NodeContent>
{
    private readonly Node[]? _nodes;
    private readonly byte[]? _bytes;

    private NodeContent(Node[]? nodes, byte[]? bytes)
    {
        _nodes = nodes;
        _bytes = bytes;
    }

    /// <summary>No content.</summary>
    public static NodeContent None => default;

    /// <summary>Which of the three forms this is.</summary>
    public NodeContentKind Kind =>
        _nodes is not null ? NodeContentKind.Nodes : _bytes is not null ? NodeContentKind.Bytes : NodeContentKind.None;

    /// <summary>The child nodes; empty unless <see cref="Kind"/> is <see cref="NodeContentKind.Nodes"/>.</summary>
    public IReadOnlyList<Node> Nodes => _nodes ?? [];

    /// <summary>The bytes; empty unless <see cref="Kind"/> is <see cref="NodeContentKind.Bytes"/>.</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes;

    /// <summary>A list of child nodes (copied); an empty list is valid content.</summary>
    public static NodeContent FromNodes(IEnumerable<Node> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        Node[] copy = [.. nodes];
        foreach (Node node in copy)
        {
            ArgumentNullException.ThrowIfNull(node, nameof(nodes));
        }

        return new NodeContent(copy, null);
    }

    /// <summary>Bytes (copied).</summary>
    public static NodeContent FromBytes(ReadOnlySpan<byte> bytes) => new(null, bytes.ToArray());

    /// <summary>The UTF-8 bytes of <paramref name="text"/>; the encoder writes them as BINARY_*.</summary>
    public static NodeContent FromText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new NodeContent(null, Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Value equality.</summary>
    public static bool operator ==(NodeContent left, NodeContent right) => left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(NodeContent left, NodeContent right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(NodeContent other)
    {
        if (Kind != other.Kind)
        {
            return false;
        }

        return Kind switch
        {
            NodeContentKind.Nodes => _nodes!.AsSpan().SequenceEqual(other._nodes!),
            NodeContentKind.Bytes => _bytes.AsSpan().SequenceEqual(other._bytes),
            _ => true,
        };
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is NodeContent other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Kind);
        if (_nodes is not null)
        {
            hash.Add(_nodes.Length);
            foreach (Node node in _nodes)
            {
                hash.Add(node);
            }
        }
        else if (_bytes is not null)
        {
            hash.AddBytes(_bytes);
        }

        return hash.ToHashCode();
    }

    /// <summary>Wraps an array the caller gives up (decoder use; no copy).</summary>
    internal static NodeContent WrapNodes(Node[] nodes) => new(nodes, null);

    /// <summary>Wraps an array the caller gives up (decoder use; no copy).</summary>
    internal static NodeContent WrapBytes(byte[] bytes) => new(null, bytes);
}
