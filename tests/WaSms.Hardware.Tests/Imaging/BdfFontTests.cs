using WaSms.Hardware.Imaging;

namespace WaSms.Hardware.Tests.Imaging;

public sealed class BdfFontTests
{
    [Fact]
    public void EmbeddedFonts_LoadWithLatin1()
    {
        Assert.Equal(13, BdfFont.Small.LineHeight);
        Assert.Equal(20, BdfFont.Large.LineHeight);
        Assert.Equal(6 * 5, BdfFont.Small.MeasureWidth("Zürich"[..5]));
    }

    [Fact]
    public void Draw_LetterI_SetsPixelsInsideItsCell()
    {
        var frame = new MonoFrame(20, 20);
        BdfFont.Small.Draw(frame, 0, 0, "I");

        var dark = Enumerable.Range(0, 20).SelectMany(y => Enumerable.Range(0, 20).Select(x => (x, y))).Where(p => frame[p.x, p.y]).ToList();
        Assert.NotEmpty(dark);
        Assert.All(dark, p => Assert.True(p.x < 6 && p.y < 13));
    }

    [Fact]
    public void Wrap_KeepsEveryLineWithinTheWidth()
    {
        var lines = BdfFont.Small.Wrap("WhatsApp logged this gateway out; hold the button to link it again", 100);

        Assert.True(lines.Count > 1);
        Assert.All(lines, l => Assert.True(BdfFont.Small.MeasureWidth(l) <= 100, l));
    }

    [Fact]
    public void Parse_Garbage_NamesTheLine()
    {
        var error = Assert.Throws<FormatException>(() =>
            BdfFont.Parse("bad", new StringReader("STARTFONT 2.1\nFONT_ASCENT 11\nFONT_DESCENT 2\nSTARTCHAR A\nENCODING 65\nDWIDTH 6 0\nBBX 6 x 0 -2\n")));

        Assert.Contains("line 7", error.Message, StringComparison.Ordinal);
    }
}
