using System.Buffers.Binary;
using System.Globalization;
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
public static class NodeDecoder
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

    private ref struct Reader
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

        private AttrValue ReadValue(string what)
        {
            int at = _pos;
            byte tag = ReadByte(what);
            return ReadValueAfterTag(tag, at, what);
        }

        private AttrValue ReadValueAfterTag(byte tag, int at, string what) => tag switch
        {
            BinaryTag.JidPair => ReadJidPair(at),
            BinaryTag.AdJid => ReadAdJid(at),
            BinaryTag.FbJid => ReadFbJid(at),
            BinaryTag.InteropJid => ReadInteropJid(at),
            _ => ReadStringAfterTag(tag, at, what),
        };

        private string ReadPlainString(string what)
        {
            int at = _pos;
            byte tag = ReadByte(what);
            if (BinaryTag.IsJid(tag))
            {
                throw Error($"{what} must be a string, found a JID (tag 0x{tag:x2})", at);
            }

            return ReadStringAfterTag(tag, at, what);
        }

        private string ReadStringAfterTag(byte tag, int at, string what)
        {
            if (TokenDictionary.TryGetSingle(tag, out string? single))
            {
                return single;
            }

            switch (tag)
            {
                case BinaryTag.ListEmpty:
                    return string.Empty;
                case BinaryTag.Dictionary0:
                case BinaryTag.Dictionary1:
                case BinaryTag.Dictionary2:
                case BinaryTag.Dictionary3:
                    byte index = ReadByte($"the index of a double-byte token in {what}");
                    if (!TokenDictionary.TryGetDouble(tag - BinaryTag.Dictionary0, index, out string? token))
                    {
                        throw Error($"{what}: no double-byte token {tag - BinaryTag.Dictionary0}/{index}", at);
                    }

                    return token;
                case BinaryTag.Binary8:
                case BinaryTag.Binary20:
                case BinaryTag.Binary32:
                    return Encoding.UTF8.GetString(ReadBinary(tag, at, what));
                case BinaryTag.Nibble8:
                case BinaryTag.Hex8:
                    return ReadPacked(tag, at, what);
                case BinaryTag.List8:
                case BinaryTag.List16:
                    throw Error($"{what} must be a string, found a list (tag 0x{tag:x2})", at);
                default:
                    throw Error($"{what}: unknown tag 0x{tag:x2}", at);
            }
        }

        private ReadOnlySpan<byte> ReadBinary(byte tag, int at, string what)
        {
            long length = tag switch
            {
                BinaryTag.Binary8 => ReadByte($"the length of {what}"),
                BinaryTag.Binary20 => ReadUInt20($"the length of {what}"),
                _ => ReadUInt32($"the length of {what}"),
            };
            if (length > Remaining)
            {
                throw Error($"{what} declares {length.ToString(CultureInfo.InvariantCulture)} bytes but only {Remaining} remain", at);
            }

            ReadOnlySpan<byte> bytes = _data.Slice(_pos, (int)length);
            _pos += (int)length;
            return bytes;
        }

        private string ReadPacked(byte tag, int at, string what)
        {
            byte header = ReadByte($"the length of packed {what}");
            int byteCount = header & 0x7F;
            bool odd = (header & 0x80) != 0;
            if (byteCount > Remaining)
            {
                throw Error($"packed {what} declares {byteCount} bytes but only {Remaining} remain", at);
            }

            if (odd && byteCount == 0)
            {
                throw Error($"packed {what} is marked odd but has no characters", at);
            }

            int length = (byteCount * 2) - (odd ? 1 : 0);
            bool nibble = tag == BinaryTag.Nibble8;
            Span<char> chars = stackalloc char[BinaryTag.PackedMax * 2];
            for (int i = 0; i < byteCount; i++)
            {
                byte pair = _data[_pos + i];
                for (int half = 0; half < 2; half++)
                {
                    int position = (2 * i) + half;
                    int code = half == 0 ? pair >> 4 : pair & 0x0F;
                    if (nibble && code is > 11 and not PackedString.Pad)
                    {
                        throw Error($"packed {what}: 0x{code:x} is not a NIBBLE_8 code", _pos + i);
                    }

                    if (position >= length)
                    {
                        continue; // the pad of an odd-length string
                    }

                    if (nibble && code == PackedString.Pad)
                    {
                        throw Error($"packed {what}: pad nibble 0xf before the end of the string", _pos + i);
                    }

                    chars[position] = nibble ? PackedString.NibbleChar(code) : PackedString.HexChar(code);
                }
            }

            _pos += byteCount;
            return new string(chars[..length]);
        }

        private AttrValue ReadJidPair(int at)
        {
            string user = ReadPlainString("the user of a JID pair");
            int serverAt = _pos;
            string server = ReadPlainString("the server of a JID pair");
            if (server.Length == 0)
            {
                throw Error("a JID pair has an empty server", serverAt);
            }

            return MakeJid(user, server, null, 0, 0, at);
        }

        private AttrValue ReadAdJid(int at)
        {
            byte domain = ReadByte("the domain byte of an AD JID");
            byte device = ReadByte("the device byte of an AD JID");
            string user = ReadPlainString("the user of an AD JID");
            string server = JidServer.ServerForDomain(domain);
            byte agent = JidServer.IsDomainByte(domain) ? (byte)0 : domain;
            return MakeJid(user, server, device, agent, 0, at);
        }

        private AttrValue ReadFbJid(int at)
        {
            string user = ReadPlainString("the user of a Messenger JID");
            ushort device = ReadUInt16("the device of a Messenger JID");
            int serverAt = _pos;
            string server = ReadPlainString("the server of a Messenger JID");
            if (server != JidServer.Messenger)
            {
                throw Error($"a Messenger JID (FB_JID) must be on '{JidServer.Messenger}', found '{server}'", serverAt);
            }

            return MakeJid(user, server, device, 0, 0, at);
        }

        private AttrValue ReadInteropJid(int at)
        {
            string user = ReadPlainString("the user of an interop JID");
            ushort device = ReadUInt16("the device of an interop JID");
            ushort integrator = ReadUInt16("the integrator of an interop JID");
            int serverAt = _pos;
            string server = ReadPlainString("the server of an interop JID");
            if (server != JidServer.Interop)
            {
                throw Error($"an interop JID must be on '{JidServer.Interop}', found '{server}'", serverAt);
            }

            return MakeJid(user, server, device, 0, integrator, at);
        }

        private readonly AttrValue MakeJid(string user, string server, ushort? device, byte agent, ushort integrator, int at) =>
            Jid.TryCreate(user, server, device, agent, integrator, out string? problem) is { } jid
                ? jid
                : throw Error($"invalid JID: {problem}", at);

        private byte ReadByte(string what)
        {
            if (_pos >= _data.Length)
            {
                throw Error($"unexpected end of input reading {what}", _pos);
            }

            return _data[_pos++];
        }

        private ushort ReadUInt16(string what)
        {
            EnsureAvailable(2, what);
            ushort value = BinaryPrimitives.ReadUInt16BigEndian(_data[_pos..]);
            _pos += 2;
            return value;
        }

        private int ReadUInt20(string what)
        {
            // Three bytes of which the low 20 bits count, as both reference decoders read them.
            EnsureAvailable(3, what);
            int value = ((_data[_pos] & 0x0F) << 16) | (_data[_pos + 1] << 8) | _data[_pos + 2];
            _pos += 3;
            return value;
        }

        private uint ReadUInt32(string what)
        {
            EnsureAvailable(4, what);
            uint value = BinaryPrimitives.ReadUInt32BigEndian(_data[_pos..]);
            _pos += 4;
            return value;
        }

        private readonly void EnsureAvailable(int count, string what)
        {
            if (count > Remaining)
            {
                throw Error($"unexpected end of input reading {what}: needed {count} bytes, {Remaining} left", _pos);
            }
        }

        private readonly WaProtocolException Error(string message, int at)
        {
            int offset = _base + at;
            return new WaProtocolException($"Invalid binary node: {message} (at offset {offset}{_where}).", offset);
        }
    }
}
