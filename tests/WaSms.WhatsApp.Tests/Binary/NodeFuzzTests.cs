using System.Diagnostics;
using WaSms.WhatsApp.Binary;
using Xunit.Abstractions;

namespace WaSms.WhatsApp.Tests.Binary;

/// <summary>
/// Seeded fuzzing: mutated valid frames, compressed frames and random bytes may only raise
/// WaProtocolException, may not allocate past the decoder's limits, and whatever decodes must
/// encode and decode to the same tree. CI runs a fixed seed; <c>scripts/fuzz-whatsapp</c> runs
/// millions of cases with a new seed (<see cref="FuzzSettings"/>).
/// </summary>
public sealed class NodeFuzzTests(ITestOutputHelper output)
{
    private static readonly int Seed = FuzzSettings.Seed(0x5A5_2025);

    [Fact]
    public void RandomNodes_EncodeDecode_RoundTrip()
    {
        var nodes = new RandomNodes(Seed);
        for (int i = 0; i < 3000; i++)
        {
            Node node = nodes.Next();
            byte[] frame = NodeEncoder.EncodeFrame(node);

            Assert.Equal(node, NodeDecoder.DecodeFrame(frame));
        }
    }

    [Fact]
    public void RandomNodes_JsonRoundTrip_GivesTheSameBytes()
    {
        var nodes = new RandomNodes(Seed + 1);
        for (int i = 0; i < 3000; i++)
        {
            Node node = nodes.Next();
            string json = NodeJson.ToJson(node);

            Node parsed = NodeJson.FromJson(json);

            Assert.Equal(NodeEncoder.Encode(node), NodeEncoder.Encode(parsed));
            Assert.Equal(json, NodeJson.ToJson(parsed));
        }
    }

    [Theory]
    // Found by scripts/fuzz-whatsapp: a corrupt zlib stream that zlib reports as ZLibException.
    [InlineData("3618760e7c63df4fe6a0d1b86492c01de82ed245d36ddb")]
    public void FoundByTheLongRun_OnlyThrowsWaProtocolException(string hex)
    {
        var error = Assert.Throws<WaProtocolException>(() => NodeDecoder.DecodeFrame(Convert.FromHexString(hex)));
        Assert.Contains("zlib", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    // Found by scripts/fuzz-whatsapp: a device-less JID pair on msgr came back as FB_JID with ":0".
    [InlineData("00f804fc02c3a978fa00ccfc00")]
    public void FoundByTheLongRun_RoundTripsUnchanged(string hex)
    {
        var node = NodeDecoder.DecodeFrame(Convert.FromHexString(hex));

        Assert.Equal(node, NodeDecoder.DecodeFrame(NodeEncoder.EncodeFrame(node)));
    }

    [Theory]
    [InlineData("@msgr")]
    [InlineData("100000000000001@msgr")]
    [InlineData("100000000000001:0@msgr")]
    [InlineData("@interop")]
    [InlineData("7-15551234567:1@interop")]
    public void MessengerAndInteropJids_KeepTheirDevicePartThroughTheCodec(string text)
    {
        var node = new Node("iq", [new NodeAttribute("to", Jid.Parse(text))]);

        var again = NodeDecoder.DecodeFrame(NodeEncoder.EncodeFrame(node));

        Assert.Equal(text, again.Attributes[0].Value.Jid!.ToString());
    }

    [Fact]
    public void MutatedAndRandomInput_OnlyThrowsWaProtocolException()
    {
        var nodes = new RandomNodes(Seed + 2);
        Random random = nodes.Random;
        var seeds = new List<byte[]>();
        foreach ((_, string hex, _, _) in TestFiles.ReadVectors("baileys-rc14.txt"))
        {
            seeds.Add(Convert.FromHexString(hex));
        }

        for (int i = 0; i < 200; i++)
        {
            seeds.Add(NodeEncoder.EncodeFrame(nodes.Next(maxDepth: 3)));
        }

        var limits = new NodeDecoderLimits { MaxInflatedSize = 1 << 20 };
        int decoded = 0, rejected = 0;
        long mostAllocated = 0;
        var cases = FuzzSettings.Cases(60_000);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < cases; i++)
        {
            byte[] input = (i % 6) switch
            {
                5 => RandomBytes(random),
                4 when i % 60 == 4 => Compressed(Mutate(seeds[random.Next(seeds.Count)], random), random),
                _ => Mutate(seeds[random.Next(seeds.Count)], random),
            };

            if (TryDecode(input, limits, i, ref mostAllocated, out Node? node))
            {
                decoded++;
                // Whatever decodes must survive encode → decode unchanged.
                var again = NodeDecoder.DecodeFrame(NodeEncoder.EncodeFrame(node));
                Assert.True(node.Equals(again), $"case {i}: {Convert.ToHexStringLower(input)} decodes to {node} but round-trips to {again}");
            }
            else
            {
                rejected++;
            }
        }

        clock.Stop();
        output.WriteLine($"seed {Seed}, {cases} cases: {decoded} decoded, {rejected} rejected, at most {mostAllocated} bytes allocated by one decode, {clock.ElapsedMilliseconds} ms");
        Assert.True(rejected > cases / 2, $"only {rejected} inputs were rejected; the mutations are too mild");
    }

    /// <summary>
    /// What one decode may allocate: inflating grows a buffer up to the limit (doubling, then one
    /// copy), and anything else is bounded by the input: declared counts and lengths larger than
    /// the bytes that follow must fail before they allocate.
    /// </summary>
    private static long AllocationBound(byte[] input, NodeDecoderLimits limits) =>
        (FramePayload.IsCompressed(input) ? 4L * limits.MaxInflatedSize : 0) + (64L * input.Length) + (256 * 1024);

    private static bool TryDecode(byte[] input, NodeDecoderLimits limits, int index, ref long mostAllocated, out Node node)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            try
            {
                node = NodeDecoder.DecodeFrame(input, limits);
            }
            finally
            {
                var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                mostAllocated = Math.Max(mostAllocated, allocated);
                if (input.Length > 0 && allocated > AllocationBound(input, limits))
                {
                    Assert.Fail($"case {index}: decoding {input.Length} bytes allocated {allocated} bytes: {Convert.ToHexStringLower(input)}");
                }
            }

            _ = NodeJson.ToJson(node);
            _ = node.ToString();
            return true;
        }
        catch (WaProtocolException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
            node = null!;
            return false;
        }
        catch (Exception e)
        {
            Assert.Fail($"case {index}: {Convert.ToHexStringLower(input)} threw {e.GetType().Name}: {e}");
            throw;
        }
    }

    private static byte[] Mutate(byte[] frame, Random random)
    {
        var bytes = new List<byte>(frame);
        int edits = random.Next(1, 5);
        for (int e = 0; e < edits; e++)
        {
            int at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 2:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                case 3 when bytes.Count > 0:
                    bytes.RemoveAt(at);
                    break;
                case 4 when bytes.Count > 0:
                    // A tag byte from the interesting range.
                    bytes[at] = (byte)random.Next(236, 256);
                    break;
                case 5:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                default:
                    if (bytes.Count > 1)
                    {
                        bytes[at] = 0xff; // huge lengths and counts
                    }

                    break;
            }
        }

        return [.. bytes];
    }

    private static byte[] Compressed(byte[] frame, Random random)
    {
        byte[] compressed = NodeCodecTests.Compress(frame.Length > 0 ? frame[1..] : [], flags: 0x02);
        return random.Next(3) == 0 ? Mutate(compressed, random) : compressed;
    }

    private static byte[] RandomBytes(Random random)
    {
        byte[] bytes = new byte[random.Next(0, 64)];
        random.NextBytes(bytes);
        if (bytes.Length > 1 && random.Next(2) == 0)
        {
            bytes[0] = 0;
            bytes[1] = (byte)(random.Next(2) == 0 ? 0xf8 : 0xf9);
        }

        return bytes;
    }
}
