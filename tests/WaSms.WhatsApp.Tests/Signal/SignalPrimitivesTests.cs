using WaSms.WhatsApp.Signal;

namespace WaSms.WhatsApp.Tests.Signal;

/// <summary>
/// Known answers computed with npm libsignal@6.0.0 (<c>crypto.deriveSecrets</c>, <c>calculateMAC</c>)
/// and Baileys rc14 (<c>SenderMessageKey</c>) for seed = 32×0x01, salt = 32×0x02; plus the codecs' rules.
/// </summary>
public sealed class SignalPrimitivesTests
{
    private static readonly byte[] Seed = [.. Enumerable.Repeat((byte)1, 32)];

    [Fact]
    public void ChainStep_MatchesLibsignal()
    {
        Assert.Equal("cc6efb872c237f565ee82df42e4cab00098b13710395e3c6d29f2907d69e4f04", Hex(SignalKdf.MessageKeySeed(Seed)));
        Assert.Equal("c31d79abaf8f2150ee1cfe3dc732eed02a56f79647909bad055a831cb762e9a2", Hex(SignalKdf.NextChainKey(Seed)));
    }

    [Fact]
    public void MessageKeys_MatchLibsignalAndBaileys()
    {
        var keys = SignalKdf.WhisperKeys(Seed);
        Assert.Equal("9c1ca9c47fad3fa5773060fc40a0450e9515ec3c936789ee8691345969ed236c", Hex(keys.CipherKey));
        Assert.Equal("e3d169eb78e1cc494935ebec8041692afb4bb40908d025a502e1e75c03b6cbbc", Hex(keys.MacKey));
        Assert.Equal("36ce5c50e2e588f8e588da1a36620f0e", Hex(keys.Iv));

        var group = SignalKdf.GroupKeys(Seed);
        Assert.Equal("527152be5a185e44c2f14361339c72d4", Hex(group.Iv));
        Assert.Equal("7a67e5b0a4f6f668646659e3e0eb767640d6a72d3faefcaf4650cacdb96f39f0", Hex(group.CipherKey));
    }

    [Fact]
    public void RootAndRatchetKeys_MatchLibsignal()
    {
        Assert.Equal("2bef1bccc1ab8076168dcaf1ab9655d752a57c54d1a6eeb22249c5fb34b86b48", Hex(SignalKdf.RootKey(Seed)));
        var (root, chain) = SignalKdf.Ratchet([.. Enumerable.Repeat((byte)2, 32)], Seed);
        Assert.Equal("aecb84a8fdc13755f414b623f84cd24ee00440b3e6847d7ebb04845acbb1bf43", Hex(root));
        Assert.Equal("93447694c1cc7b369ef93e1e6fab5391e6692c427f87be5e9b0ced15def34dc9", Hex(chain));
    }

    [Fact]
    public void Padding_SendsOneToFifteenAndAcceptsUpToSixteen()
    {
        var seen = new HashSet<int>();
        for (int i = 0; i < 600; i++)
        {
            var padded = MessagePadding.Pad([1, 2, 3]);
            int n = padded.Length - 3;
            Assert.InRange(n, 1, 15);
            Assert.All(padded[3..], b => Assert.Equal(n, b));
            Assert.Equal([1, 2, 3], MessagePadding.Unpad(padded));
            seen.Add(n);
        }

        Assert.Equal(15, seen.Count);
        Assert.Equal([7], MessagePadding.Unpad([7, .. Enumerable.Repeat((byte)16, 16)]));
        Assert.Empty(MessagePadding.Unpad([1]));
        Assert.Equal([0], MessagePadding.Unpad([0])); // n = 0: nothing to remove (whatsmeow)
        Assert.Equal([9], MessagePadding.Unpad([9, .. Enumerable.Repeat((byte)20, 20)])); // longer than 16: read as whatsmeow reads it
    }

    [Theory]
    [InlineData("")]
    [InlineData("0111")]
    [InlineData("070707070707")]
    [InlineData("0111111111111111111111111111111111")]
    [InlineData("0102")]
    public void Padding_Invalid_IsInvalidPadding(string hex)
    {
        var error = Assert.Throws<SignalException>(() => MessagePadding.Unpad(Convert.FromHexString(hex)));
        Assert.Equal(SignalError.InvalidPadding, error.Error);
    }

    [Theory]
    [InlineData("23", SignalError.UnsupportedVersion)]
    [InlineData("34", SignalError.UnsupportedVersion)]
    [InlineData("33", SignalError.InvalidMessage)]
    [InlineData("33ff", SignalError.InvalidMessage)]
    public void WireDecoders_RejectVersionsAndGarbage(string prefix, SignalError expected)
    {
        var data = Convert.FromHexString(prefix + new string('0', 2 * 80));
        if (prefix.Length > 2)
        {
            data = Convert.FromHexString(prefix + "ffffffffffffffffff" + new string('f', 2 * 70));
        }

        foreach (Action decode in new Action[]
        {
            () => WhisperMessage.Parse(data),
            () => PreKeyWhisperMessage.Peek(data),
            () => SenderKeyMessage.Parse(data),
            () => SenderKeyDistribution.Parse(data),
        })
        {
            Assert.Equal(expected, Assert.Throws<SignalException>(decode).Error);
        }
    }

    [Fact]
    public void WireDecoders_RejectWrongKeysAndOversizedInput()
    {
        // A WhisperMessage whose ratchet key lacks the 0x05 prefix (field 1, 32 bytes) and a MAC.
        byte[] noPrefix = [0x33, 0x0a, 32, .. new byte[32], 0x22, 16, .. new byte[16], .. new byte[8]];
        Assert.Equal(SignalError.InvalidKey, Assert.Throws<SignalException>(() => WhisperMessage.Parse(noPrefix)).Error);
        var huge = new byte[SignalWire.MaxMessageSize + 1];
        huge[0] = 0x33;
        Assert.Equal(SignalError.InvalidMessage, Assert.Throws<SignalException>(() => WhisperMessage.Parse(huge)).Error);
        Assert.Equal(SignalError.InvalidMessage, Assert.Throws<SignalException>(() => SessionRecord.Deserialize([0x0a, 0x02, 0x0a, 0x01, 0x00])).Error);
        Assert.Equal(SignalError.InvalidMessage, Assert.Throws<SignalException>(() => SenderKeyRecord.Deserialize([0x0a, 0x00])).Error);
    }

    private static string Hex(byte[] b) => Convert.ToHexStringLower(b);
}
