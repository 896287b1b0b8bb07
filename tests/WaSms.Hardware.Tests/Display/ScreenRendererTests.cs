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
            // A version the platform could send that is longer than any line.
            yield return new ScreenModel(new GatewaySnapshot(state, "Online", Now.AddDays(-3), 1, Account: account,
                Notices: [new UpdateNotice(new string('9', 120) + "-rc.1+" + LongReason)]), Now);
        }
        var unpaired = new GatewaySnapshot(GatewayState.Unpaired, LongReason, Now, 1, new PairingInfo(null, PairingCode: "ABCDEFGHIJKLMNOPQRSTUVWXYZ"));
        yield return new ScreenModel(unpaired, Now);
        yield return new ScreenModel(unpaired with { Pairing = new PairingInfo(LongReason, Now.AddMinutes(10), RefNumber: 1000, RefCount: 1000) }, Now);
        foreach (var seconds in new[] { 0, 4.2, 5, 9.99, 14.5, 15, 600 })
        {
            yield return new ScreenModel(unpaired, Now, Hold: new HoldProgress(TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15)));
        }
        yield return new ScreenModel(unpaired, Now, Notice: new ResetNotice(true, int.MaxValue, Now.AddHours(10)));
        yield return new ScreenModel(unpaired with { Reason = ClockReason, Pairing = new PairingInfo(null) }, Now);
    }

    private const string ClockReason = "Clock is 200 days behind: waiting for time sync (NTP); check that the network allows it";

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

    /// <summary>A wrong clock (issue #9 item 24) gets its own unpaired screen, not "Not linked … press the button".</summary>
    [Theory]
    [MemberData(nameof(Panels))]
    public void Unpaired_ClockReason_HasItsOwnScreen(int width, int height)
    {
        var clock = new GatewaySnapshot(GatewayState.Unpaired, ClockReason, Now, 1, new PairingInfo(null));
        // The same text with one letter changed takes the ordinary "Not linked" layout.
        var ordinary = clock with { Reason = "X" + ClockReason[1..] };

        var clockFrame = ScreenRenderer.Render(new ScreenModel(clock, Now), width, height);
        var ordinaryFrame = ScreenRenderer.Render(new ScreenModel(ordinary, Now), width, height);

        Assert.Equal(0, clockFrame.ClippedPixels);
        // More than the one changed glyph differs: the icon, the headline and the footer.
        var differing = 0;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                differing += clockFrame[x, y] != ordinaryFrame[x, y] ? 1 : 0;
            }
        }
        Assert.True(differing > 400, $"only {differing} pixels differ from the ordinary screen");
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

    /// <summary>
    /// On the online screen an offer also brings the footer "Press button to update now" (a short press installs it):
    /// the bottom rows change; a platform problem keeps the footer (online-update-platform-revoked, below).
    /// </summary>
    [Theory]
    [MemberData(nameof(Panels))]
    public void UpdateOffer_OnlineScreen_FooterSaysPressToUpdate(int width, int height)
    {
        var model = ScreenSamples.All.Single(s => s.Name == "online-update-available").Model;
        var with = ScreenRenderer.Render(model, width, height);
        var without = ScreenRenderer.Render(model with { Snapshot = model.Snapshot with { Notices = null } }, width, height);
        var footerChanged = 0;
        for (var y = height - 12; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                footerChanged += with[x, y] != without[x, y] ? 1 : 0;
            }
        }
        Assert.True(footerChanged > 100, $"online-update-available on {width}x{height}: the footer changed only {footerChanged} pixels; is the hint shown?");
        Assert.Equal(0, with.ClippedPixels);
    }

    /// <summary>
    /// The update offer goes into the header, right of the title: every line, the platform line and a platform
    /// problem footer stay exactly where they were, and the title is untouched (the degraded screen, and the online
    /// screen whose footer is taken by a platform problem).
    /// </summary>
    [Theory]
    [MemberData(nameof(Panels))]
    public void UpdateOffer_InTheHeader_NoOtherPixelChanges(int width, int height)
    {
        const int headerHeight = 17, titleEnd = 60;
        foreach (var name in new[] { "degraded-update-available", "online-update-platform-revoked" })
        {
            var model = ScreenSamples.All.Single(s => s.Name == name).Model;
            var with = ScreenRenderer.Render(model, width, height);
            var without = ScreenRenderer.Render(model with { Snapshot = model.Snapshot with { Notices = null } }, width, height);
            var changed = 0;
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    if (with[x, y] != without[x, y])
                    {
                        Assert.True(y < headerHeight && x >= titleEnd, $"{name} on {width}x{height}: the offer changed pixel ({x},{y}) outside the header's right side");
                        changed++;
                    }
                }
            }
            Assert.Equal(0, with.ClippedPixels);
            Assert.True(changed > 100, $"{name} on {width}x{height}: the offer changed only {changed} pixels; is it shown?");
        }
    }

    [Fact]
    public void UpdateOffer_NotShownOutsideOnlineAndDegraded()
    {
        var unpaired = ScreenSamples.All.Single(s => s.Name == "unpaired-qr").Model;
        var offered = unpaired with { Snapshot = unpaired.Snapshot with { Notices = [new UpdateNotice("1.6.0")] } };

        Assert.True(ScreenRenderer.Render(offered, 250, 122).SameAs(ScreenRenderer.Render(unpaired, 250, 122)));
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
