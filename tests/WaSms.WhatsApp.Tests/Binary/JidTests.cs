using WaSms.WhatsApp.Binary;

namespace WaSms.WhatsApp.Tests.Binary;

public sealed class JidTests
{
    [Theory]
    [InlineData("15551234567@s.whatsapp.net")]
    [InlineData("15551234567:3@s.whatsapp.net")]
    [InlineData("15551234567:0@s.whatsapp.net")]
    [InlineData("123456789:7@lid")]
    [InlineData("123456789012345@lid")]
    [InlineData("120363012345678901@g.us")]
    [InlineData("15551234567-1600000000@g.us")]
    [InlineData("status@broadcast")]
    [InlineData("1234567890@broadcast")]
    [InlineData("120363000000000001@newsletter")]
    [InlineData("1555:99@hosted")]
    [InlineData("1555@hosted")]
    [InlineData("123456789012345:99@hosted.lid")]
    [InlineData("867051314767696@bot")]
    [InlineData("16505361212@c.us")]
    [InlineData("@s.whatsapp.net")]
    [InlineData("@g.us")]
    [InlineData("@broadcast")]
    [InlineData(":3@s.whatsapp.net")]
    [InlineData("100000000000001:2@msgr")]
    [InlineData("7-15551234567:1@interop")]
    [InlineData("15551234567.5:2@s.whatsapp.net")]
    public void Parse_CanonicalText_RendersTheSameText(string text)
    {
        Jid jid = Jid.Parse(text);

        Assert.Equal(text, jid.ToString());
        Assert.Equal(jid, Jid.Parse(jid.ToString()));
    }

    [Fact]
    public void Parse_Device_SplitsUserDeviceServer()
    {
        Jid jid = Jid.Parse("15551234567:3@s.whatsapp.net");

        Assert.Equal("15551234567", jid.User);
        Assert.Equal((ushort)3, jid.Device);
        Assert.Equal(JidServer.WhatsApp, jid.Server);
        Assert.Equal(0, jid.Agent);
    }

    [Fact]
    public void Parse_NoDevice_DeviceIsNullNotZero()
    {
        Assert.Null(Jid.Parse("15551234567@s.whatsapp.net").Device);
        Assert.Equal((ushort)0, Jid.Parse("15551234567:0@s.whatsapp.net").Device);
        Assert.NotEqual(Jid.Parse("15551234567@s.whatsapp.net"), Jid.Parse("15551234567:0@s.whatsapp.net"));
    }

    [Theory]
    [InlineData("s.whatsapp.net")]
    [InlineData("@s.whatsapp.net")]
    public void Parse_ServerAddress_BothFormsAreTheSame(string text)
    {
        Jid jid = Jid.Parse(text);

        Assert.True(jid.IsServerAddress);
        Assert.Equal(Jid.WhatsAppServer, jid);
        Assert.Equal("@s.whatsapp.net", jid.ToString());
    }

    [Fact]
    public void Parse_InteropAndAgent_ReadsEveryPart()
    {
        Jid interop = Jid.Parse("7-15551234567:1@interop");
        Jid agent = Jid.Parse("15551234567.5:2@s.whatsapp.net");

        Assert.Equal(("15551234567", (ushort?)1, (ushort)7), (interop.User, interop.Device, interop.Integrator));
        Assert.Equal(("15551234567", (ushort?)2, (byte)5), (agent.User, agent.Device, agent.Agent));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a@b@c")]
    [InlineData("x@")]
    [InlineData("x:abc@s.whatsapp.net")]
    [InlineData("x:@s.whatsapp.net")]
    [InlineData("x:1:2@s.whatsapp.net")]
    [InlineData("x:256@s.whatsapp.net")]
    [InlineData("x:70000@msgr")]
    [InlineData("x:1@g.us")]
    [InlineData("x.1:2@s.whatsapp.net")]
    [InlineData("x.128:2@s.whatsapp.net")]
    [InlineData("x.5@s.whatsapp.net")]
    [InlineData("x.y:1@s.whatsapp.net")]
    public void Parse_Invalid_ThrowsFormatException(string text)
    {
        Assert.Throws<FormatException>(() => Jid.Parse(text));
        Assert.False(Jid.TryParse(text, out _));
    }

    [Fact]
    public void Constructor_InvalidParts_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => new Jid("1", ""));
        Assert.Throws<ArgumentException>(() => new Jid("a@b", JidServer.WhatsApp));
        Assert.Throws<ArgumentException>(() => new Jid("1", JidServer.Group, device: 1));
        Assert.Throws<ArgumentException>(() => new Jid("1", JidServer.Lid, device: 300));
        Assert.Throws<ArgumentException>(() => new Jid("1", JidServer.Lid, device: 1, agent: 5));
        Assert.Throws<ArgumentException>(() => new Jid("1", JidServer.WhatsApp, device: 1, agent: 1));
        Assert.Throws<ArgumentException>(() => new Jid("1", JidServer.WhatsApp, integrator: 3));
    }

    [Fact]
    public void Equality_ComparesEveryPart()
    {
        Assert.Equal(new Jid("1", JidServer.Lid, 2), Jid.Parse("1:2@lid"));
        Assert.True(new Jid("1", JidServer.Lid, 2) == Jid.Parse("1:2@lid"));
        Assert.NotEqual(new Jid("1", JidServer.Lid, 2), new Jid("1", JidServer.WhatsApp, 2));
        Assert.Equal(new Jid("1", JidServer.Lid, 2).GetHashCode(), Jid.Parse("1:2@lid").GetHashCode());
    }
}
