using WaSms.WhatsApp.Pairing;

namespace WaSms.WhatsApp.Tests.Pairing;

public sealed class PairingQrCodeTests
{
    private static readonly byte[] Noise = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] Identity = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] Adv = Enumerable.Range(200, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void ToString_IsTheFivePartLinkedDevicesUrl()
    {
        var code = new PairingQrCode("2@REFONE", Noise, Identity, Adv, "1");

        var text = code.ToString();

        Assert.Equal(
            "https://wa.me/settings/linked_devices#2@REFONE,"
            + Convert.ToBase64String(Noise) + ","
            + Convert.ToBase64String(Identity) + ","
            + Convert.ToBase64String(Adv) + ",1",
            text);
        Assert.Equal(5, text[PairingQrCode.Prefix.Length..].Split(',').Length);
    }

    [Fact]
    public void Keys_AreStandardBase64WithPadding()
    {
        var parts = new PairingQrCode("2@x", Noise, Identity, Adv, "1").ToString().Split(',');

        Assert.All(parts[1..4], part => Assert.EndsWith("=", part, StringComparison.Ordinal));
        Assert.All(parts[1..4], part => Assert.Equal(44, part.Length));
    }

    [Fact]
    public void TryParse_RoundTripsTheCurrentForm()
    {
        var original = new PairingQrCode("2@abc+/==", Noise, Identity, Adv, "7");

        Assert.True(PairingQrCode.TryParse(original.ToString(), out var parsed));

        Assert.Equal("2@abc+/==", parsed.Ref);
        Assert.Equal(Noise, parsed.NoisePublicKey.ToArray());
        Assert.Equal(Identity, parsed.IdentityPublicKey.ToArray());
        Assert.Equal(Adv, parsed.AdvSecret.ToArray());
        Assert.Equal("7", parsed.PlatformId);
    }

    [Fact]
    public void TryParse_AcceptsTheOldFourPartForm()
    {
        var old = string.Join(',', "2@old", Convert.ToBase64String(Noise), Convert.ToBase64String(Identity), Convert.ToBase64String(Adv));

        Assert.True(PairingQrCode.TryParse(old, out var parsed));
        Assert.Equal("2@old", parsed.Ref);
        Assert.Equal(string.Empty, parsed.PlatformId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("https://wa.me/settings/linked_devices#onlyref")]
    [InlineData("https://wa.me/settings/linked_devices#2@x,AAAA,BBBB,CCCC,1")]
    [InlineData("a,b,c,d,e,f")]
    public void TryParse_RejectsOtherStrings(string text) =>
        Assert.False(PairingQrCode.TryParse(text, out _));

    [Fact]
    public void RefSchedule_FirstSixtySecondsThenTwentyEach()
    {
        Assert.Equal(TimeSpan.FromSeconds(60), QrRefSchedule.ValidFor(0));
        Assert.All(Enumerable.Range(1, 5), i => Assert.Equal(TimeSpan.FromSeconds(20), QrRefSchedule.ValidFor(i)));
        Assert.Equal(TimeSpan.FromSeconds(160), QrRefSchedule.ExpiresAfter(5));
    }
}
