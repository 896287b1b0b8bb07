using System.Text;

namespace WaSms.WhatsApp.Binary;

/// <summary>
/// Reads nodes in WhatsApp's binary format (dictionary v3) from untrusted input. Every declared
/// length and count is checked against the bytes that remain and against
/// <see cref="NodeDecoderLimits"/>; any malformed input throws <see cref="WaProtocolException"/>
/// naming the problem and its offset. See docs/protocol/binary-nodes.md §4.
/// </summary>
/// <remarks>
/// Decisions where the two reference clients differ or are lax (docs §4.4):
/// tags and attribute keys must be non-empty strings (not JIDs); a repeated attribute keeps its first
/// position and takes the last value (as both clients' maps do); raw strings are decoded as UTF-8 with
/// replacement characters; content that is a string on the wire (token, packed, JID) becomes its UTF-8
/// bytes; bytes left after the root node are an error (as in whatsmeow).
/// </remarks>
public static partial class NodeDecoder
{
    private const int MinNodeSize = 3;

    /// <summary>Decodes one node that fills <paramref name="node"/> exactly (no flag byte).</summary>
    /// <exception cref="WaProtocolException">The input is malformed or exceeds a limit.</exception>
    public static Node Read(ReadOnlySpan<byte> node, NodeDecoderLimits? limits = null)
    {
        limits ??= NodeDecoderLimits.Default;
        if (node.Length > limits.MaxInputSize)
        {
            throw new WaProtocolException($"Node of {node.Length} bytes exceeds the limit of {limits.MaxInputSize} bytes.", 0);
        }

        return ReadRoot(node, limits, 0, string.Empty);
    }

    /// <summary>Decodes a frame payload: the flag byte (inflating when bit 0x02 is set), then the node.</summary>
    /// <remarks>Offsets in errors count from the start of the payload, or of the inflated node when compressed.</remarks>
    /// <exception cref="WaProtocolException">The input is malformed or exceeds a limit.</exception>
    public static Node DecodeFrame(ReadOnlySpan<byte> payload, NodeDecoderLimits? limits = null)
    {
        limits ??= NodeDecoderLimits.Default;
        FramePayload.CheckSize(payload, limits);
        if (FramePayload.IsCompressed(payload))
        {
            byte[] inflated = FramePayload.Inflate(payload[1..], limits.MaxInflatedSize, out int length);
            return ReadRoot(inflated.AsSpan(0, length), limits, 0, " of the inflated node");
        }

        return ReadRoot(payload[1..], limits, 1, string.Empty);
    }

    private static Node ReadRoot(ReadOnlySpan<byte> data, NodeDecoderLimits limits, int baseOffset, string where)
    {
        var reader = new Reader(data, limits, baseOffset, where);
        Node node = reader.ReadNode(1);
        reader.EnsureEnd();
        return node;
    }

    private ref partial struct Reader
    {
        private readonly ReadOnlySpan<byte> _data;
        private readonly NodeDecoderLimits _limits;
        private readonly int _base;
        private readonly string _where;
        private int _pos;
        private int _nodes;
        private int _attributes;

        public Reader(ReadOnlySpan<byte> data, NodeDecoderLimits limits, int baseOffset, string where)
        {
            _data = data;
            _limits = limits;
            _base = baseOffset;
            _where = where;
            _pos = 0;
        }

        private readonly int Remaining => _data.Length - _pos;

        public readonly void EnsureEnd()
        {
            if (_pos != _data.Length)
            {
                throw Error($"{Remaining} bytes left over after the root node", _pos);
            }
        }

        public Node ReadNode(int depth)
        {
            int start = _pos;
            if (depth > _limits.MaxDepth)
            {
                throw Error($"nodes are nested deeper than the limit of {_limits.MaxDepth}", start);
            }

            if (++_nodes > _limits.MaxTotalNodes)
            {
                throw Error($"more than the limit of {_limits.MaxTotalNodes} nodes in one frame", start);
            }

            byte listTag = ReadByte("the list start of a node");
            int size = listTag switch
            {
                BinaryTag.List8 => ReadByte("the size of a node's list"),
                BinaryTag.List16 => ReadUInt16("the size of a node's list"),
                BinaryTag.ListEmpty => 0,
                _ => throw Error($"expected a node (list tag 0xf8 or 0xf9), found tag 0x{listTag:x2}", start),
            };
            if (size == 0)
            {
                throw Error("a node's list is empty, so it has no tag", start);
            }

            string tag = ReadPlainString("the node tag");
            if (tag.Length == 0)
            {
                throw Error("the node tag is empty", start);
            }

            int attributeCount = (size - 1) >> 1;
            if (attributeCount > _limits.MaxAttributes)
            {
                throw Error($"<{tag}> declares {attributeCount} attributes, more than the limit of {_limits.MaxAttributes}", start);
            }

            _attributes += attributeCount;
            if (_attributes > _limits.MaxTotalAttributes)
            {
                throw Error($"more than the limit of {_limits.MaxTotalAttributes} attributes in one frame", start);
            }

            if (attributeCount * 2 > Remaining)
            {
                throw Error($"<{tag}> declares {attributeCount} attributes but only {Remaining} bytes remain", start);
            }

            NodeAttribute[] attributes = attributeCount == 0 ? [] : new NodeAttribute[attributeCount];
            int filled = 0;
            for (int i = 0; i < attributeCount; i++)
            {
                int keyAt = _pos;
                string key = ReadPlainString("an attribute key");
                if (key.Length == 0)
                {
                    throw Error($"<{tag}> has an attribute with an empty key", keyAt);
                }

                AttrValue value = ReadValue($"the value of attribute '{key}'");
                int existing = IndexOfKey(attributes.AsSpan(0, filled), key);
                attributes[existing >= 0 ? existing : filled++] = new NodeAttribute(key, value);
            }

            if (filled != attributes.Length)
            {
                Array.Resize(ref attributes, filled);
            }

            NodeContent content = (size & 1) == 0 ? ReadContent(tag, depth) : NodeContent.None;
            return Node.CreateTrusted(tag, attributes, content);
        }

        private static int IndexOfKey(ReadOnlySpan<NodeAttribute> attributes, string key)
        {
            for (int i = 0; i < attributes.Length; i++)
            {
                if (string.Equals(attributes[i].Key, key, StringComparison.Ordinal))
                {
                    return i;
                }
            }

            return -1;
        }

        private NodeContent ReadContent(string tag, int depth)
        {
            int at = _pos;
            byte kind = ReadByte($"the content of <{tag}>");
            switch (kind)
            {
                case BinaryTag.ListEmpty:
                    return NodeContent.WrapNodes([]);
                case BinaryTag.List8:
                case BinaryTag.List16:
                    int count = kind == BinaryTag.List8
                        ? ReadByte($"the child count of <{tag}>")
                        : ReadUInt16($"the child count of <{tag}>");
                    if (count > _limits.MaxChildren)
                    {
                        throw Error($"<{tag}> declares {count} children, more than the limit of {_limits.MaxChildren}", at);
                    }

                    if ((long)count * MinNodeSize > Remaining)
                    {
                        throw Error($"<{tag}> declares {count} children but only {Remaining} bytes remain", at);
                    }

                    var children = new Node[count];
                    for (int i = 0; i < count; i++)
                    {
                        children[i] = ReadNode(depth + 1);
                    }

                    return NodeContent.WrapNodes(children);
                case BinaryTag.Binary8:
                case BinaryTag.Binary20:
                case BinaryTag.Binary32:
                    return NodeContent.WrapBytes(ReadBinary(kind, at, $"the content of <{tag}>").ToArray());
                default:
                    AttrValue text = ReadValueAfterTag(kind, at, $"the content of <{tag}>");
                    return NodeContent.WrapBytes(Encoding.UTF8.GetBytes(text.ToString()));
            }
        }
    }
}
