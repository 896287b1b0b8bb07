using System.Buffers.Binary;
using System.IO.Compression;
using WaSms.Hardware.Imaging;

namespace WaSms.Hardware.Tests.Display;

/// <summary>Reads back the 1-bit grayscale PNGs that <see cref="PngEncoder"/> writes (filter 0 only), to compare pixels rather than zlib bytes.</summary>
public static class PngPixels
{
    public static MonoFrame Decode(byte[] png)
    {
        var position = 8;
        int width = 0, height = 0;
        using var idat = new MemoryStream();
        while (position < png.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(position));
            var type = System.Text.Encoding.ASCII.GetString(png, position + 4, 4);
            var data = png.AsSpan(position + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                Assert.Equal(1, data[8]);
                Assert.Equal(0, data[9]);
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }
            position += 12 + length;
        }
        idat.Position = 0;
        using var zlib = new ZLibStream(idat, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        zlib.CopyTo(raw);
        var bytes = raw.ToArray();
        var stride = (width + 7) / 8;
        var frame = new MonoFrame(width, height);
        for (var y = 0; y < height; y++)
        {
            var row = y * (stride + 1);
            Assert.Equal(0, bytes[row]);
            for (var x = 0; x < width; x++)
            {
                frame[x, y] = (bytes[row + 1 + x / 8] & (0x80 >> (x % 8))) == 0;
            }
        }
        return frame;
    }
}
