using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace WaSms.Gateway.Tests.Simulator;

/// <summary>
/// Debian's <c>chromium</c> in headless mode with the DevTools port on loopback
/// (<c>--remote-debugging-port=0</c>: it picks a free port and prints
/// <c>DevTools listening on ws://127.0.0.1:PORT/devtools/browser/…</c> on stderr). Pages are
/// driven over the Chrome DevTools Protocol (<see cref="CdpPage"/>); no npm, no Playwright.
/// </summary>
public sealed partial class HeadlessChromium : IDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _profile;
    private readonly TaskCompletionSource<Uri> _devTools = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Text.StringBuilder _stderr = new();

    private HeadlessChromium(TempDirectory profile)
    {
        _profile = profile;
        var psi = new ProcessStartInfo("chromium") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[]
                 {
                     "--headless=new", "--remote-debugging-port=0", $"--user-data-dir={profile.Path}",
                     // Tests run as root in CI containers, where Chromium's sandbox cannot start.
                     "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--hide-scrollbars", "--window-size=1000,800", "about:blank",
                 })
        {
            psi.ArgumentList.Add(arg);
        }
        _process = Process.Start(psi)!;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }
            var match = DevToolsLine().Match(e.Data);
            if (match.Success)
            {
                _devTools.TrySetResult(new Uri(match.Groups[1].Value));
            }
        };
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    public static HeadlessChromium Start() => new(new TempDirectory());

    /// <summary>Opens a new tab on <paramref name="url"/> and connects to it.</summary>
    public async Task<CdpPage> OpenAsync(Uri url, CancellationToken cancellationToken)
    {
        Uri browser;
        try
        {
            browser = await _devTools.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"chromium printed no DevTools address:\n{Stderr}");
        }
        using var http = new HttpClient { BaseAddress = new Uri($"http://{browser.Authority}/") };
        // PUT /json/new?<url> opens a tab and answers with its webSocketDebuggerUrl (the DevTools HTTP endpoints).
        using var response = await http.PutAsync(new Uri("json/new?" + url, UriKind.Relative), null, cancellationToken);
        response.EnsureSuccessStatusCode();
        var target = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!;
        var page = await CdpPage.ConnectAsync(new Uri((string)target["webSocketDebuggerUrl"]!), cancellationToken);
        await page.WaitUntilAsync($"document.readyState === 'complete' && location.href === {JsonValue.Create(url.ToString()).ToJsonString()}",
            TimeSpan.FromSeconds(30), cancellationToken);
        return page;
    }

    public string Stderr { get { lock (_stderr) { return _stderr.ToString(); } } }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
        _profile.Dispose();
    }

    [GeneratedRegex(@"DevTools listening on (ws://\S+)")]
    private static partial Regex DevToolsLine();
}
