using System.Buffers.Binary;

namespace WaSms.WhatsApp.Binary;

/// <summary>Bounds-checked big-endian reads and the error every malformed input throws.</summary>
public static partial class NodeDecoder
{
    private ref partial struct Reader
    {
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
