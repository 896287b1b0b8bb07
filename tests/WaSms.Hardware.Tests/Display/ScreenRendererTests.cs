using WaSms.Core.State;
using WaSms.Hardware.Display;
using WaSms.Hardware.Imaging;
using WaSms.Hardware.Tests.Imaging;

namespace WaSms.Hardware.Tests.Display;

public sealed class ScreenRendererTests
{
    private static readonly DateTimeOffset Now = ScreenSamples.Now;

    // Long words, long sentences, characters the fonts lack: the worst a reason can be.
    private static readonly string LongReason = string.Join(' ', Enumerable.Repeat(
        "WhatsApp closed the stream (xml-not-well-formed) after Supercalifragilisticexpialidocious_reconnect_attempt_number_forty_two; reconnecting 😀", 6));

    public static TheoryData<int, int> Panels() => new() { { 250, 122 }, { 200, 200 }, { 296, 128 } };

    private static IEnumerable<ScreenModel> WorstCases()
    {
        var account = new LinkedAccount("4917012345678901234@s.whatsapp.net", PushName: new string('W', 80));
        foreach (var state in Enum.GetValues<GatewayState>())
        {
            yield return new ScreenModel(new GatewaySnapshot(state, LongReason, Now.AddDays(-3), 1, Account: account), Now,
                Stats: new ScreenStats(long.MaxValue, long.MaxValue, long.MaxValue, Now.AddDays(-2)));
        }
        var unpaired = new GatewaySnapshot(GatewayState.Unpaired, LongReason, Now, 1, new PairingInfo(null, PairingCode: "ABCDEFGHIJKLMNOPQRSTUVWXYZ"));
        yield return new ScreenModel(unpaired, Now);
        yield return new ScreenModel(unpaired with { Pairing = new PairingInfo(LongReason, Now.AddMinutes(10), RefNumber: 1000, RefCount: 1000) }, Now);
        foreach (var seconds in new[] { 0, 4.2, 5, 9.99, 14.5, 15, 600 })
        {
            yield return new ScreenModel(unpaired, Now, Hold: new HoldProgress(TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15)));
        }
        yield return new ScreenModel(unpaired, Now, Notice: new ResetNotice(true, int.MaxValue, Now.AddHours(10)));
    }

    [Theory]
    [MemberData(nameof(Panels))]
    public void EveryScreen_WorstCaseTexts_NothingRunsOffThePanel(int width, int height)
    {
        foreach (var model in WorstCases())
        {
            var frame = ScreenRenderer.Render(model, width, height);

            Assert.True(frame.ClippedPixels == 0, $"{model.Snapshot.State} (hold {model.Hold?.Held}, notice {model.Notice is not null}) lost {frame.ClippedPixels} pixels off a {width}x{height} panel");
        }
    }

    [Theory]
    [MemberData(nameof(Panels))]
    public void LongestWhatsAppQr_DecodesOnEveryPanel(int width, int height)
    {
        // A ref of 140 characters (longer than any seen) pushes the code to a larger QR version.
        var qr = "2@" + new string('r', 140) + "," + ScreenSamples.Qr[(ScreenSamples.Qr.IndexOf(',', StringComparison.Ordinal) + 1)..];
        var model = new ScreenModel(new GatewaySnapshot(GatewayState.Unpaired, "scan", Now, 1, new PairingInfo(qr, Now.AddSeconds(20), RefNumber: 2, RefCount: 6)), Now);
        var frame = ScreenRenderer.Render(model, width, height);
        var path = Path.Combine(Path.GetTempPath(), $"wasms-qr-{width}x{height}-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(path, PngEncoder.Encode(frame));
        try
        {
            Assert.Equal(qr, FramePngTests.Zbar(path));
            Assert.Equal(0, frame.ClippedPixels);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(60, "60 s left")]
    [InlineData(59.9, "50 s left")]
    [InlineData(10, "10 s left")]
    [InlineData(9.5, "< 10 s left")]
    [InlineData(0, "expired")]
    [InlineData(-5, "expired")]
    public void QrStatus_RoundsTimeLeftDownToTenSeconds(double secondsLeft, string expected)
    {
        var pairing = new PairingInfo("qr", Now.AddSeconds(secondsLeft), RefNumber: 2, RefCount: 6);

        var (which, left) = ScreenRenderer.QrStatus(pairing, Now);

        Assert.Equal("Code 2 of 6", which);
        Assert.Equal(expected, left);
    }

    [Fact]
    public void ExpiredQr_IsNotShown()
    {
        var snapshot = new GatewaySnapshot(GatewayState.Unpaired, "scan", Now, 1, new PairingInfo(ScreenSamples.Qr, Now, RefNumber: 6, RefCount: 6));
        var live = ScreenRenderer.Render(new ScreenModel(snapshot, Now.AddSeconds(-30)), 250, 122);
        var expired = ScreenRenderer.Render(new ScreenModel(snapshot, Now), 250, 122);

        Assert.False(live.SameAs(expired));
        Assert.True(expired.SameAs(ScreenRenderer.Render(ScreenSamples.All.Single(s => s.Name == "unpaired-expired").Model with { Snapshot = snapshot }, 250, 122)));
    }

    [Fact]
    public void FatalCode_IsStablePerReason()
    {
        Assert.Equal(ScreenRenderer.FatalCode("disk full"), ScreenRenderer.FatalCode("disk full"));
        Assert.NotEqual(ScreenRenderer.FatalCode("disk full"), ScreenRenderer.FatalCode("disk gone"));
        Assert.Matches("^E-[0-9A-F]{4}$", ScreenRenderer.FatalCode("disk full"));
    }

    [Fact]
    public void Ellipsize_CutsToTheWidthWithAnEllipsis()
    {
        var font = BdfFont.Small;

        Assert.Equal("short", font.Ellipsize("short", 60));
        Assert.Equal("abcdefgh\u2026", font.Ellipsize("abcdefghijklmnop", 54));
        Assert.Equal("", font.Ellipsize("abc", 3));
    }
}
