using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace WaSms.WhatsApp.Binary;

/// <summary>
/// Writes nodes in WhatsApp's binary format (dictionary v3). Strings go out as the first of:
/// single-byte token, double-byte token, NIBBLE_8, HEX_8, raw bytes with the shortest length tag.
/// JIDs go out by their form: FB_JID on msgr and INTEROP_JID on interop when they carry a device
/// (or an integrator), AD_JID when they have a device (also <c>:0</c>), JID_PAIR otherwise — so a
/// device-less JID never gains a <c>:0</c> on the way back. Byte content is always BINARY_8/20/32.
/// See docs/protocol/binary-nodes.md §4 and §5.
/// </summary>
public static class NodeEncoder
{
    /// <summary>Deepest nesting the encoder writes; deeper trees throw instead of exhausting the stack.</summary>
    public const int MaxDepth = 256;

    private const int Binary20Limit = 1 << 20;

    /// <summary>Writes the node (without the frame flag byte) to <paramref name="output"/>.</summary>
    /// <exception cref="WaProtocolException">The node exceeds a limit of the format.</exception>
    public static void Write(Node node, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(output);
        new Writer(output).WriteNode(node, 1);
    }

    /// <summary>The node's bytes, without the frame flag byte.</summary>
    /// <exception cref="WaProtocolException">The node exceeds a limit of the format.</exception>
    public static byte[] Encode(Node node)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(node, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A frame payload: flag byte 0 (not compressed) followed by the node.</summary>
    /// <exception cref="WaProtocolException">The node exceeds a limit of the format.</exception>
    public static byte[] EncodeFrame(Node node)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.GetSpan(1)[0] = 0;
        buffer.Advance(1);
        Write(node, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private readonly struct Writer(IBufferWriter<byte> output)
    {
        public void WriteNode(Node node, int depth)
        {
            if (depth > MaxDepth)
            {
                throw new WaProtocolException($"Cannot encode <{node.Tag}>: nodes are nested deeper than {MaxDepth}.");
            }

            IReadOnlyList<NodeAttribute> attributes = node.Attributes;
            bool hasContent = node.Content.Kind != NodeContentKind.None;
            int size = (2 * attributes.Count) + 1 + (hasContent ? 1 : 0);
            if (size > ushort.MaxValue)
            {
                throw new WaProtocolException($"Cannot encode <{node.Tag}>: {attributes.Count} attributes exceed the LIST_16 size of a node.");
            }

            WriteListStart(size);
            WriteString(node.Tag);
            foreach (NodeAttribute attribute in attributes)
            {
                WriteString(attribute.Key);
                if (attribute.Value.Jid is { } jid)
                {
                    WriteJid(jid);
                }
                else
                {
                    WriteString(attribute.Value.Text!);
                }
            }

            switch (node.Content.Kind)
            {
                case NodeContentKind.Nodes:
                    IReadOnlyList<Node> children = node.Content.Nodes;
                    if (children.Count > ushort.MaxValue)
                    {
                        throw new WaProtocolException($"Cannot encode <{node.Tag}>: {children.Count} children exceed LIST_16.");
                    }

                    WriteListStart(children.Count);
                    foreach (Node child in children)
                    {
                        WriteNode(child, depth + 1);
                    }

                    break;
                case NodeContentKind.Bytes:
                    WriteBytes(node.Content.Bytes.Span);
                    break;
                default:
                    break;
            }
        }

        private void WriteByte(byte value)
        {
            output.GetSpan(1)[0] = value;
            output.Advance(1);
        }

        private void WriteListStart(int size)
        {
            if (size == 0)
            {
                WriteByte(BinaryTag.ListEmpty);
            }
            else if (size <= byte.MaxValue)
            {
                Span<byte> span = output.GetSpan(2);
                span[0] = BinaryTag.List8;
                span[1] = (byte)size;
                output.Advance(2);
            }
            else
            {
                Span<byte> span = output.GetSpan(3);
                span[0] = BinaryTag.List16;
                BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)size);
                output.Advance(3);
            }
        }

        private void WriteLength(int length)
        {
            if (length <= byte.MaxValue)
            {
                Span<byte> span = output.GetSpan(2);
                span[0] = BinaryTag.Binary8;
                span[1] = (byte)length;
                output.Advance(2);
            }
            else if (length < Binary20Limit)
            {
                Span<byte> span = output.GetSpan(4);
                span[0] = BinaryTag.Binary20;
                span[1] = (byte)((length >> 16) & 0x0F);
                span[2] = (byte)(length >> 8);
                span[3] = (byte)length;
                output.Advance(4);
            }
            else
            {
                Span<byte> span = output.GetSpan(5);
                span[0] = BinaryTag.Binary32;
                BinaryPrimitives.WriteInt32BigEndian(span[1..], length);
                output.Advance(5);
            }
        }

        private void WriteBytes(ReadOnlySpan<byte> bytes)
        {
            WriteLength(bytes.Length);
            output.Write(bytes);
        }

        private void WriteString(string text)
        {
            if (text.Length == 0)
            {
                // Baileys writes "" as an empty BINARY_8; whatsmeow skips empty attributes entirely.
                WriteLength(0);
                return;
            }

            if (TokenDictionary.TryFind(text, out int dictionary, out byte index))
            {
                if (dictionary < 0)
                {
                    WriteByte(index);
                }
                else
                {
                    Span<byte> span = output.GetSpan(2);
                    span[0] = (byte)(BinaryTag.Dictionary0 + dictionary);
                    span[1] = index;
                    output.Advance(2);
                }
            }
            else if (PackedString.IsNibble(text))
            {
                WritePacked(text, BinaryTag.Nibble8);
            }
            else if (PackedString.IsHex(text))
            {
                WritePacked(text, BinaryTag.Hex8);
            }
            else
            {
                int length = Encoding.UTF8.GetByteCount(text);
                WriteLength(length);
                Span<byte> span = output.GetSpan(length);
                int written = Encoding.UTF8.GetBytes(text, span);
                output.Advance(written);
            }
        }

        private void WritePacked(string text, byte tag)
        {
            int pairs = (text.Length + 1) / 2;
            Span<byte> span = output.GetSpan(2 + pairs);
            span[0] = tag;
            span[1] = (byte)(pairs | ((text.Length & 1) << 7));
            for (int i = 0; i < pairs; i++)
            {
                int high = Code(text[2 * i], tag);
                int low = (2 * i) + 1 < text.Length ? Code(text[(2 * i) + 1], tag) : PackedString.Pad;
                span[2 + i] = (byte)((high << 4) | low);
            }

            output.Advance(2 + pairs);
        }

        private static int Code(char c, byte tag) =>
            tag == BinaryTag.Nibble8 ? PackedString.NibbleCode(c) : PackedString.HexCode(c);

        private void WriteJid(Jid jid)
        {
            if (jid.Server == JidServer.Messenger && jid.Device is not null)
            {
                WriteByte(BinaryTag.FbJid);
                WriteString(jid.User);
                WriteUInt16(jid.Device ?? 0);
                WriteString(jid.Server);
            }
            else if (jid.Server == JidServer.Interop && (jid.Device is not null || jid.Integrator != 0))
            {
                WriteByte(BinaryTag.InteropJid);
                WriteString(jid.User);
                WriteUInt16(jid.Device ?? 0);
                WriteUInt16(jid.Integrator);
                WriteString(jid.Server);
            }
            else if (jid.Device is { } device)
            {
                // Jid guarantees: a device only on AD servers (0-255 here), an agent only on s.whatsapp.net.
                Span<byte> span = output.GetSpan(3);
                span[0] = BinaryTag.AdJid;
                span[1] = JidServer.DomainForServer(jid.Server, jid.Agent);
                span[2] = (byte)device;
                output.Advance(3);
                WriteString(jid.User);
            }
            else
            {
                WriteByte(BinaryTag.JidPair);
                if (jid.User.Length == 0)
                {
                    WriteByte(BinaryTag.ListEmpty);
                }
                else
                {
                    WriteString(jid.User);
                }

                WriteString(jid.Server);
            }
        }

        private void WriteUInt16(ushort value)
        {
            BinaryPrimitives.WriteUInt16BigEndian(output.GetSpan(2), value);
            output.Advance(2);
        }
    }
}
