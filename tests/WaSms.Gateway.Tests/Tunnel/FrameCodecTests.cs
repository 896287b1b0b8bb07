using System.Text;
using WaSms.Gateway.Tunnel.Protocol;

namespace WaSms.Gateway.Tests.Tunnel;

/// <summary>The tunnel's frame codec against docs/tunnel.md's own examples, its field rules and seeded garbage.</summary>
public sealed class FrameCodecTests
{
    private static readonly string[] KnownCodes =
        [TunnelErrors.BadFrame, TunnelErrors.TooLarge, TunnelErrors.UnknownType, TunnelErrors.UnsupportedVersion];

    [Fact]
    public void EveryExampleInTheDocDecodesAndSurvivesARoundTrip()
    {
        var examples = TunnelDoc.Examples();
        Assert.True(examples.Count >= 20, $"only {examples.Count} examples found in {TunnelDoc.Path}");
        var types = new HashSet<string>();
        foreach (var example in examples)
        {
            var frame = Decode(example);
            types.Add(frame.Type);
            var again = FrameCodec.Decode(FrameCodec.Encode(frame));
            Assert.Equal(Encoding.UTF8.GetString(FrameCodec.Encode(frame)), Encoding.UTF8.GetString(FrameCodec.Encode(again)));
        }
        // Every frame type of the protocol has at least one example in the doc.
        Assert.Equal(16, types.Count);
    }

    [Fact]
    public void TheDocsSendExampleReadsAsWritten()
    {
        var send = Assert.IsType<SendFrame>(Decode(TunnelDoc.Examples().Single(e => e.Contains("\"type\":\"send\""))));
        Assert.Equal(42, send.Seq);
        Assert.Equal("8812", send.JobId);
        Assert.Equal("+4915112345678", send.To);
        Assert.Equal("Yes, 9 to 6.", send.Text);
        Assert.Equal(1, send.Priority);
    }

    [Theory]
    [InlineData("""{"type":"send","jobId":"1","to":"+1","kind":"text","text":"x"}""", TunnelErrors.BadFrame, "send.seq: is missing")]
    [InlineData("""{"type":"send","seq":"7","jobId":"1","to":"+1","kind":"text","text":"x"}""", TunnelErrors.BadFrame, "send: field 'seq' has the wrong type")]
    [InlineData("""{"type":"send","seq":0,"jobId":"1","to":"+1","kind":"text","text":"x"}""", TunnelErrors.BadFrame, "send.seq: must be a whole number of at least 1")]
    [InlineData("""{"type":"send","seq":1,"jobId":"","to":"+1","kind":"text","text":"x"}""", TunnelErrors.BadFrame, "send.jobId: must be 1 to 128 printable ASCII characters")]
    [InlineData("""{"type":"event","cursor":5,"kind":"message","message":{"id":"A","chat":"+1","from":"+1","fromMe":"no","timestamp":"2026-12-02T10:15:01Z","type":"text"}}""", TunnelErrors.BadFrame, "event: field 'message.fromMe' has the wrong type")]
    [InlineData("""{"type":"challenge","nonce":"short","time":"2026-12-02T10:15:00.000Z"}""", TunnelErrors.BadFrame, "challenge.nonce: must be 16 to 64 bytes in base64url without padding")]
    [InlineData("""{"type":"challenge","nonce":"q8Y3Kx0V2nB7cJtQ4wE6uA","time":"2026-12-02 10:15"}""", TunnelErrors.BadFrame, "challenge.time: must be an RFC 3339 UTC time ending in Z")]
    [InlineData("""{"type":"welcome","ackedCursor":0,"window":5000}""", TunnelErrors.BadFrame, "welcome.window: must be between 1 and 1000")]
    [InlineData("""{"type":"enrolled","gatewayId":"gw 1"}""", TunnelErrors.BadFrame, "enrolled.gatewayId: must be 1 to 128 characters of A-Z a-z 0-9 _ . -")]
    [InlineData("""{"type":"hello","v":2,"gatewayId":"gw","signature":"AA==","resume":{"platformSeq":0}}""", TunnelErrors.UnsupportedVersion, "hello.v: version 2 is not supported (this side speaks 1)")]
    [InlineData("""{"type":"teleport","to":"mars"}""", TunnelErrors.UnknownType, "unknown frame type 'teleport'")]
    [InlineData("""{"seq":1}""", TunnelErrors.BadFrame, "field 'type' is missing or not a string")]
    [InlineData("""[1,2]""", TunnelErrors.BadFrame, "the frame is a JSON array, not an object")]
    [InlineData("""{"type":"command","seq":3,"id":"c","name":"status","args":[1]}""", TunnelErrors.BadFrame, "command.args: must be an object")]
    public void ABrokenRuleIsOneErrorNamingTheField(string json, string code, string message)
    {
        var error = Assert.Throws<ProtocolException>(() => Decode(json));
        Assert.Equal(code, error.Code);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void UnknownFieldsAreIgnored()
    {
        var ping = Assert.IsType<PingFrame>(Decode("""{"type":"ping","id":"p_1","later":{"a":[1,2,3]}}"""));
        Assert.Equal("p_1", ping.Id);
    }

    [Fact]
    public void AFrameOverTheLimitIsTooLargeWithoutBeingParsed()
    {
        var text = "{\"type\":\"ping\",\"id\":\"p\",\"pad\":\"" + new string('x', FrameCodec.MaxFrameBytes) + "\"}";
        var error = Assert.Throws<ProtocolException>(() => Decode(text));
        Assert.Equal(TunnelErrors.TooLarge, error.Code);
    }

    [Fact]
    public void DeepNestingIsABadFrameNotAStackOverflow()
    {
        var text = "{\"type\":\"ping\",\"id\":\"p\",\"x\":" + new string('[', 100_000) + new string(']', 100_000) + "}";
        var error = Assert.Throws<ProtocolException>(() => Decode(text));
        Assert.Equal(TunnelErrors.BadFrame, error.Code);
        Assert.StartsWith("the frame is not JSON", error.Message);
    }

    [Fact]
    public void InvalidUtf8IsABadFrame()
    {
        byte[] bytes = [.. "{\"type\":\"ping\",\"id\":\""u8, 0xC3, 0x28, .. "\"}"u8];
        var error = Assert.Throws<ProtocolException>(() => FrameCodec.Decode(bytes));
        Assert.Equal(TunnelErrors.BadFrame, error.Code);
    }

    /// <summary>Seeded mutations of the doc's frames and of random bytes: each decodes or is one clean protocol error.</summary>
    [Fact]
    public void SeededGarbageNeverEscapesAsAnythingButAProtocolError()
    {
        var random = new Random(1212);
        var examples = TunnelDoc.Examples().Select(Encoding.UTF8.GetBytes).ToArray();
        string[] wrongValues = ["null", "true", "-1", "1e400", "\"\"", "[]", "{}", "9223372036854775808", "\"\\u0000\"", "1.5"];
        var errors = 0;
        for (var i = 0; i < 5000; i++)
        {
            var bytes = (byte[])examples[random.Next(examples.Length)].Clone();
            switch (random.Next(5))
            {
                case 0: // flip bytes
                    for (var n = random.Next(1, 4); n > 0; n--)
                    {
                        bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                    }
                    break;
                case 1: // truncate
                    bytes = bytes[..random.Next(bytes.Length)];
                    break;
                case 2: // a value of the wrong type in place of one that is there
                    var text = Encoding.UTF8.GetString(bytes);
                    var colon = text.IndexOf(':', random.Next(text.Length));
                    var end = colon < 0 ? -1 : text.IndexOfAny([',', '}'], colon);
                    bytes = end < 0 ? bytes : Encoding.UTF8.GetBytes(text[..(colon + 1)] + wrongValues[random.Next(wrongValues.Length)] + text[end..]);
                    break;
                case 3: // random bytes
                    bytes = new byte[random.Next(64)];
                    random.NextBytes(bytes);
                    break;
                default: // a field removed
                    var whole = Encoding.UTF8.GetString(bytes);
                    var comma = whole.IndexOf(',', random.Next(whole.Length));
                    var next = comma < 0 ? -1 : whole.IndexOfAny([',', '}'], comma + 1);
                    bytes = next < 0 ? bytes : Encoding.UTF8.GetBytes(whole[..comma] + whole[next..]);
                    break;
            }
            try
            {
                FrameCodec.Decode(bytes);
            }
            catch (ProtocolException ex)
            {
                errors++;
                Assert.Contains(ex.Code, KnownCodes);
                Assert.False(string.IsNullOrWhiteSpace(ex.Message));
                Assert.DoesNotContain('\n', ex.Message);
            }
        }
        Assert.InRange(errors, 1000, 5000);
    }

    private static TunnelFrame Decode(string json) => FrameCodec.Decode(Encoding.UTF8.GetBytes(json));
}
