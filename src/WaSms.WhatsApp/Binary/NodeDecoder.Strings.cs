using System.Globalization;
using System.Text;

namespace WaSms.WhatsApp.Binary;

/// <summary>Attribute values and strings: dictionary tokens, raw bytes, packed nibble/hex strings (docs/protocol/binary-nodes.md §3, §4.3).</summary>
public static partial class NodeDecoder
{
    private ref partial struct Reader
    {
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
    }
}
