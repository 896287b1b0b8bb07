using System.Text.RegularExpressions;

namespace WaSms.Gateway.Tests.Simulator;

/// <summary>
/// The simulator page in headless Chromium against the real gateway process in dev mode (simulated
/// board, the built-in WhatsApp emulator): what a developer sees and clicks.
/// </summary>
public sealed partial class SimulatorPageTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private readonly CancellationTokenSource _cts = new(TimeSpan.FromMinutes(3));

    public void Dispose()
    {
        _cts.Dispose();
        _dir.Dispose();
    }

    private CancellationToken Ct => _cts.Token;

    private string State => _dir.File("state");

    private string FramePng => Path.Combine(State, "display", "current.png");

    [Fact]
    public async Task Page_ShowsTheQrOnThePanel_AndTheScanButtonTakesTheGatewayOnline()
    {
        using var gateway = StartDevGateway(out var notify);
        using var _ = notify;
        var url = await PageUrlAsync(gateway);
        using var chromium = HeadlessChromium.Start();
        await using var page = await chromium.OpenAsync(url, Ct);

        await page.WaitUntilAsync("document.getElementById('state').textContent === 'unpaired'", Patience, Ct);
        var (onPage, onPanel) = await QrOnPageAndPanelAsync(page);
        Assert.Equal(onPanel, onPage);

        // Unpaired: amber blinks slowly (docs/hardware/led-patterns.md), so the page lights it and puts it out.
        Assert.Equal("slow-blink", (string?)await page.EvaluateAsync("document.getElementById('led-amber').dataset.mode", Ct));
        await page.WaitUntilAsync("document.getElementById('led-amber').classList.contains('lit')", Patience, Ct);
        await page.WaitUntilAsync("!document.getElementById('led-amber').classList.contains('lit')", Patience, Ct);

        await page.WaitUntilAsync("!document.getElementById('scan').disabled", Patience, Ct);
        await page.ClickAsync("#scan", Ct);

        await page.WaitUntilAsync("document.getElementById('state').textContent === 'online'", Patience, Ct);
        await notify.WaitForAsync(m => m == "STATUS=online: Online", Patience);
        Assert.Contains("scanned the QR", (string?)await page.EvaluateAsync("document.getElementById('scan-result').textContent", Ct), StringComparison.Ordinal);
        Assert.Equal("on", (string?)await page.EvaluateAsync("document.getElementById('led-green').dataset.mode", Ct));

        // Issue 9 item 15: "online Online", 12-hour times, LEDs without labels.
        Assert.Equal("", (string?)await page.EvaluateAsync("document.getElementById('reason').textContent", Ct));
        var details = (string?)await page.EvaluateAsync("document.getElementById('details').textContent", Ct);
        Assert.Matches(@"since ([01]\d|2[0-3]):[0-5]\d:[0-5]\d$", details);
        Assert.DoesNotMatch("AM|PM", details!);
        var leds = (string?)await page.EvaluateAsync("[...document.querySelectorAll('.leds figcaption')].map(c => c.innerText.replace(/\\s+/g, ' ').trim()).join(' | ')", Ct);
        Assert.Equal("green on working | amber off needs you / busy | red off error", leds);
    }

    /// <summary>Issue 9 item 11: the page opened from the logged link works; without the token nothing answers.</summary>
    [Fact]
    public async Task Page_FromTheLoggedLink_Works_WithoutTheToken_EveryRouteIs401()
    {
        using var gateway = StartDevGateway(out var notify);
        using var _ = notify;
        var url = await PageUrlAsync(gateway);
        Assert.Matches("^\\?token=[0-9a-f]{48}$", url.Query);
        Assert.Equal(url.AbsoluteUri, (await File.ReadAllTextAsync(Path.Combine(State, "simulator-url"), Ct)).TrimEnd('\n'));
        using var chromium = HeadlessChromium.Start();
        await using var page = await chromium.OpenAsync(url, Ct);
        await page.WaitUntilAsync("document.getElementById('connection').textContent === 'live'", Patience, Ct);
        await page.WaitUntilAsync("(() => { const f = document.getElementById('frame'); return !f.hidden && f.complete && f.naturalWidth > 0; })()", Patience, Ct);
        // The cookie is HttpOnly: the page's script cannot read it, yet its own requests carry it.
        Assert.Equal("", (string?)await page.EvaluateAsync("document.cookie", Ct));
        Assert.Equal(200, (int?)await page.EvaluateAsync("fetch('/frame.png').then(r => r.status)", Ct));

        // Without the cookie (another user's browser or curl): 401 everywhere.
        var statuses = (string?)await page.EvaluateAsync(
            "Promise.all(['/', '/app.js', '/style.css', '/frame.png', '/events'].map(p => fetch(p, { credentials: 'omit' }).then(r => r.status))"
            + ".concat(['/button/press', '/button/release', '/dev/scan'].map(p => fetch(p, { method: 'POST', credentials: 'omit', headers: { 'X-WaSms-Simulator': '1' } }).then(r => r.status))))"
            + ".then(s => s.join(','))", Ct);
        Assert.Equal("401,401,401,401,401,401,401,401", statuses);
        var (code, output, _) = await GatewayProcess.RunAsync(["status", "--state-dir", State]);
        Assert.Equal(0, code);
        Assert.Contains("unpaired", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HoldingThePageButtonFiveSeconds_RelinksWithANewQr()
    {
        using var gateway = StartDevGateway(out var notify);
        using var _ = notify;
        var url = await PageUrlAsync(gateway);
        using var chromium = HeadlessChromium.Start();
        await using var page = await chromium.OpenAsync(url, Ct);
        await page.WaitUntilAsync("!document.getElementById('scan').disabled", Patience, Ct);
        var (firstQr, _) = await QrOnPageAndPanelAsync(page);
        await page.ClickAsync("#scan", Ct);
        await page.WaitUntilAsync("document.getElementById('state').textContent === 'online'", Patience, Ct);

        // Held like a finger would: the mouse goes down on the button, stays 6 s (relink needs 5, factory reset 15), comes up.
        var button = await page.CentreOfAsync("#button", Ct);
        await page.MouseAsync("mouseMoved", button, Ct);
        await page.MouseAsync("mousePressed", button, Ct);
        await page.WaitUntilAsync("document.getElementById('button').classList.contains('down')", Patience, Ct);
        await Task.Delay(TimeSpan.FromSeconds(6), Ct);
        await page.MouseAsync("mouseReleased", button, Ct);

        await notify.WaitForAsync(m => m.StartsWith("STATUS=resetting", StringComparison.Ordinal), Patience);
        await notify.WaitForAsync(m => m == "STATUS=unpaired: Scan the QR code with WhatsApp", Patience);
        await page.WaitUntilAsync("document.getElementById('state').textContent === 'unpaired'", Patience, Ct);
        var (newQr, onPanel) = await QrOnPageAndPanelAsync(page);
        Assert.Equal(onPanel, newQr);
        Assert.NotEqual(firstQr, newQr);
    }

    private GatewayProcess StartDevGateway(out NotifyListener notify)
    {
        notify = new NotifyListener();
        // No WhatsApp:ServerUrl: dev mode starts its own emulator, and the page's scan button uses its phone.
        return GatewayProcess.Start(["run", "--simulate", "--state-dir", State, "--Simulator:Url=http://127.0.0.1:0"],
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path });
    }

    /// <summary>The address the gateway printed at start-up (port 0 asked for any free port).</summary>
    private static async Task<Uri> PageUrlAsync(GatewayProcess gateway)
    {
        var url = await Eventually.ValueAsync(() =>
        {
            Assert.False(gateway.HasExited, $"gateway exited:\n{gateway.Output}\n{gateway.Error}");
            return PageLine().Match(gateway.Output) is { Success: true } match ? match.Groups[1].Value : null;
        }, Patience, "the simulator page line", () => $"{gateway.Output}\n{gateway.Error}");
        return new Uri(url);
    }

    /// <summary>
    /// The QR zbarimg reads from a screenshot of the page and from the panel's frame file. The gateway
    /// rotates QR refs while unpaired, so a pair read across a rotation is read again.
    /// </summary>
    private async Task<(string Page, string Panel)> QrOnPageAndPanelAsync(CdpPage page)
    {
        string? onPage = null, onPanel = null;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await page.WaitUntilAsync("(() => { const f = document.getElementById('frame'); return !f.hidden && f.complete && f.naturalWidth > 0; })()", Patience, Ct);
            var before = Zbar.Read(FramePng);
            var screenshot = _dir.File($"page-{attempt}.png");
            await File.WriteAllBytesAsync(screenshot, await page.ScreenshotAsync(Ct), Ct);
            onPage = Zbar.Read(screenshot);
            onPanel = Zbar.Read(FramePng);
            if (onPage is not null && onPage == onPanel && onPanel == before)
            {
                return (onPage, onPanel);
            }
            await Task.Delay(500, Ct);
        }
        Assert.Fail($"the page's QR ({onPage ?? "none"}) never matched the panel's ({onPanel ?? "none"})");
        return default;
    }

    [GeneratedRegex(@"Simulator page: ""?(http://[^\s""]+)")]
    private static partial Regex PageLine();
}
