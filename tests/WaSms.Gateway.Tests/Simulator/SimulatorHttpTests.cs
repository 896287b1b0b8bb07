using System.Collections;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using WaSms.Core.State;
using WaSms.Gateway.Configuration;
using WaSms.Gateway.Hosting;
using WaSms.Gateway.Logging;
using WaSms.Gateway.Simulator;
using WaSms.Hardware.Board;
using WaSms.Hardware.Leds;
using WaSms.Hardware.Simulated;
using WaSms.Storage;

namespace WaSms.Gateway.Tests.Simulator;

/// <summary>The simulator page's HTTP side against the whole host in this process, over real loopback sockets.</summary>
public sealed class SimulatorHttpTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _dir = new();
    private readonly CancellationTokenSource _cts = new(TimeSpan.FromMinutes(1));

    public void Dispose()
    {
        _cts.Dispose();
        _dir.Dispose();
    }

    private CancellationToken Ct => _cts.Token;

    private async Task<IHost> BuildAsync(BoardKind board, string url, string? stateDirectory = null)
    {
        stateDirectory ??= _dir.Path;
        Directory.CreateDirectory(stateDirectory);
        var settings = new GatewaySettings
        {
            Gateway = new GatewayOptions { StateDirectory = stateDirectory },
            Board = new BoardOptions { Kind = board },
            // Nothing listens there: the WhatsApp link fails quietly, so only the test moves the state.
            WhatsApp = new WhatsAppOptions { ServerUrl = "ws://127.0.0.1:9/ws/chat" },
            Simulator = new SimulatorOptions { Url = url },
        };
        var store = await GatewayStore.OpenAsync(stateDirectory, TimeProvider.System, NullLogger.Instance, CancellationToken.None);
        var logger = TestLog.Create(output);
        return GatewayHost.Build(settings, new SystemdSettings(null, null), store, logger, TimeProvider.System);
    }

    /// <summary>The page's URL as logged: the address with <c>?token=…</c>.</summary>
    private static async Task<Uri> PageUrlAsync(IHost host) =>
        await host.Services.GetRequiredService<SimulatorServer>().Started ?? throw new InvalidOperationException("page not started");

    private static string TokenOf(Uri page) => page.Query.TrimStart('?')["token=".Length..];

    /// <summary>A client that sends the token as a script would (<c>Authorization: token …</c>).</summary>
    private static async Task<HttpClient> ClientForAsync(IHost host)
    {
        var page = await PageUrlAsync(host);
        var http = new HttpClient { BaseAddress = new Uri(page.GetLeftPart(UriPartial.Authority)) };
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "token " + TokenOf(page));
        return http;
    }

    /// <summary>Every route of the page, as (method, path); each needs the token.</summary>
    public static TheoryData<string, string> Routes() => new()
    {
        { "GET", "/" },
        { "GET", "/app.js" },
        { "GET", "/style.css" },
        { "GET", "/frame.png" },
        { "GET", "/events" },
        { "POST", "/button/press" },
        { "POST", "/button/release" },
        { "POST", "/dev/scan" },
        { "GET", "/no-such-page" },
    };

    /// <summary>Issue 9 item 11: another local user read the QR from /frame.png, linked with /dev/scan and reset by holding the button.</summary>
    [Theory]
    [MemberData(nameof(Routes))]
    public async Task EveryRoute_WithoutTheToken_Is401_AndWithIt_Passes(string method, string path)
    {
        using var host = await BuildAsync(BoardKind.Simulated, "http://127.0.0.1:0");
        await host.StartAsync(Ct);
        var button = host.Services.GetRequiredService<IBoard>().Button;
        var panel = ((SimulatedBoard)host.Services.GetRequiredService<IBoard>()).Panel;
        var page = await PageUrlAsync(host);
        var token = TokenOf(page);
        Assert.Matches("^[0-9a-f]{48}$", token);
        using var anonymous = new HttpClient { BaseAddress = new Uri(page.GetLeftPart(UriPartial.Authority)) };
        var wrong = new string(token.Select(c => c == '0' ? '1' : '0').ToArray()); // same length, every character different
        var almost = token[..^1] + (token[^1] == '0' ? '1' : '0');                  // one character off

        foreach (var (query, header) in new (string?, string?)[] { (null, null), (wrong, null), (null, wrong), (almost, null), (null, almost), ("", null), (null, "") })
        {
            using var request = Request(method, query is null ? path : $"{path}?token={query}");
            if (header is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", "token " + header);
            }
            using var refused = await anonymous.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.False(refused.Headers.Contains("Set-Cookie"));
            Assert.Contains("token", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
        Assert.Null(button.PressedAt);

        // With the token in the query (the logged link), in the header, or in the cookie the link set.
        await WaitForFrameAsync(panel);
        using (var request = Request(method, $"{path}?token={token}"))
        {
            using var admitted = await anonymous.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
            AssertAdmitted(path, admitted);
            var cookie = Assert.Single(admitted.Headers.GetValues("Set-Cookie"));
            Assert.StartsWith($"wasms-simulator-{page.Port}={token};", cookie, StringComparison.Ordinal);
            Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        }
        button.Release();
        using (var request = Request(method, path))
        {
            request.Headers.TryAddWithoutValidation("Authorization", "token " + token);
            using var admitted = await anonymous.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
            AssertAdmitted(path, admitted);
        }
        button.Release();
        using (var request = Request(method, path))
        {
            request.Headers.TryAddWithoutValidation("Cookie", $"wasms-simulator-{page.Port}={token}");
            using var admitted = await anonymous.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
            AssertAdmitted(path, admitted);
        }
        button.Release();
        await host.StopAsync(Ct);
    }

    private static HttpRequestMessage Request(string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Add("X-WaSms-Simulator", "1");
        return request;
    }

    private static void AssertAdmitted(string path, HttpResponseMessage response)
    {
        var expected = path switch
        {
            "/button/press" => HttpStatusCode.NoContent,
            "/dev/scan" => HttpStatusCode.Conflict, // past the guard: this host has no emulated phone
            "/no-such-page" => HttpStatusCode.NotFound,
            _ => HttpStatusCode.OK,
        };
        Assert.Equal(expected, response.StatusCode);
    }

    private static Task WaitForFrameAsync(SimulatedDisplay panel) =>
        Eventually.UntilAsync(() => panel.LastFrame is not null, Patience, "a frame on the simulated panel");

    [Fact]
    public async Task Token_IsNewAtEveryStart_AndItsUrlIsInAnOwnerOnlyFileUntilStop()
    {
        string first;
        var file = Path.Combine(_dir.Path, "simulator-url");
        using (var host = await BuildAsync(BoardKind.Simulated, "http://127.0.0.1:0"))
        {
            await host.StartAsync(Ct);
            var page = await PageUrlAsync(host);
            first = TokenOf(page);
            Assert.Equal(page.AbsoluteUri + "\n", await File.ReadAllTextAsync(file, Ct));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            await host.StopAsync(Ct);
            Assert.False(File.Exists(file));
        }
        using (var host = await BuildAsync(BoardKind.Simulated, "http://127.0.0.1:0", Path.Combine(_dir.Path, "second")))
        {
            await host.StartAsync(Ct);
            var page = await PageUrlAsync(host);
            Assert.NotEqual(first, TokenOf(page));
            // The old token no longer opens anything.
            using var http = new HttpClient { BaseAddress = new Uri(page.GetLeftPart(UriPartial.Authority)) };
            using var old = await http.GetAsync(new Uri($"/?token={first}", UriKind.Relative), Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
            await host.StopAsync(Ct);
        }
    }

    [Fact]
    public async Task Events_DeliverAStateChange()
    {
        using var host = await BuildAsync(BoardKind.Simulated, "http://127.0.0.1:0");
        await host.StartAsync(Ct);
        var machine = host.Services.GetRequiredService<GatewayStateMachine>();
        using var http = await ClientForAsync(host);
        using var response = await http.GetAsync(new Uri("/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var events = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));

        var first = await NextEventAsync(events, "state");
        Assert.Contains("\"sequence\":", first, StringComparison.Ordinal);
        Assert.True(machine.TryFire(new StateChange(GatewayTrigger.ResetRequested, "Reset from the test")));

        string next;
        do
        {
            next = await NextEventAsync(events, "state");
        }
        while (!next.Contains("\"state\":\"resetting\"", StringComparison.Ordinal));
        Assert.Contains("\"reason\":\"Reset from the test\"", next, StringComparison.Ordinal);
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task Events_LedsCarryTheFirmwareTimings_AndButtonEdgesFromAnySource()
    {
        using var host = await BuildAsync(BoardKind.Simulated, "http://127.0.0.1:0");
        await host.StartAsync(Ct);
        var board = host.Services.GetRequiredService<IBoard>();
        using var http = await ClientForAsync(host);
        using var events = new StreamReader(await http.GetStreamAsync(new Uri("/events", UriKind.Relative), Ct));
        await NextEventAsync(events, "button");

        board.Leds.Show(new LedPattern(LedMode.Off, LedMode.SlowBlink, LedMode.BlinkCode3));
        string leds;
        do
        {
            leds = await NextEventAsync(events, "leds");
        }
        while (!leds.Contains("\"red\":\"blink-code-3\"", StringComparison.Ordinal));
        // The same segments the GPIO driver plays (LedTimeline), so the page cannot drift from the pins.
        Assert.Contains("\"blink-code-3\":[200,-300,200,-300,200,-1500]", leds, StringComparison.Ordinal);
        Assert.Contains("\"slow-blink\":[1000,-1000]", leds, StringComparison.Ordinal);

        board.Button.Press(); // as the GPIO button or `wasms-gateway press` would
        Assert.Equal("{\"down\":true}", await NextEventAsync(events, "button"));
        board.Button.Release();
        Assert.Equal("{\"down\":false}", await NextEventAsync(events, "button"));
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task Stop_EndsOpenEventStreamsCleanly()
    {
        using var host = await BuildAsync(BoardKind.Simulated, "http://127.0.0.1:0");
        await host.StartAsync(Ct);
        using var http = await ClientForAsync(host);
        using var events = new StreamReader(await http.GetStreamAsync(new Uri("/events", UriKind.Relative), Ct));
        await NextEventAsync(events, "state");

        await host.StopAsync(Ct);

        // A stream the server ended reads to its end; one Kestrel had to abort at the shutdown timeout throws instead.
        while (await events.ReadLineAsync(Ct) is not null)
        {
        }
    }

    [Fact]
    public async Task Frame_IsThePanelsLastFrameAsPng()
    {
        using var host = await BuildAsync(BoardKind.Simulated, "http://127.0.0.1:0");
        await host.StartAsync(Ct);
        var panel = ((SimulatedBoard)host.Services.GetRequiredService<IBoard>()).Panel;
        using var http = await ClientForAsync(host);
        using var events = new StreamReader(await http.GetStreamAsync(new Uri("/events", UriKind.Relative), Ct));
        await NextEventAsync(events, "frame");

        var png = await http.GetByteArrayAsync(new Uri("/frame.png", UriKind.Relative), Ct);

        Assert.Equal(Hardware.Imaging.PngEncoder.Encode(panel.LastFrame!), png);
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task PressAndRelease_FeedTheBoardsButton()
    {
        using var host = await BuildAsync(BoardKind.Simulated, "http://127.0.0.1:0");
        await host.StartAsync(Ct);
        var button = host.Services.GetRequiredService<IBoard>().Button;
        using var http = await ClientForAsync(host);

        using (var press = Action("/button/press"))
        {
            Assert.Equal(HttpStatusCode.NoContent, (await http.SendAsync(press, Ct)).StatusCode);
        }
        Assert.NotNull(button.PressedAt);
        using (var release = Action("/button/release"))
        {
            var answer = await (await http.SendAsync(release, Ct)).Content.ReadAsStringAsync(Ct);
            Assert.Contains("ShortPress", answer, StringComparison.Ordinal);
        }
        Assert.Null(button.PressedAt);
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task Actions_WithoutTheHeaderOrFromAForeignHost_AreRefused()
    {
        using var host = await BuildAsync(BoardKind.Simulated, "http://127.0.0.1:0");
        await host.StartAsync(Ct);
        var button = host.Services.GetRequiredService<IBoard>().Button;
        using var http = await ClientForAsync(host);

        // A cross-site form post carries no custom header.
        using var plainPost = new HttpRequestMessage(HttpMethod.Post, "/button/press");
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(plainPost, Ct)).StatusCode);
        // DNS rebinding: the browser sends the attacker's host name.
        using var rebound = Action("/button/press");
        rebound.Headers.Host = "attacker.example";
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(rebound, Ct)).StatusCode);
        using var reboundPage = new HttpRequestMessage(HttpMethod.Get, "/");
        reboundPage.Headers.Host = "attacker.example:8780";
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(reboundPage, Ct)).StatusCode);

        Assert.Null(button.PressedAt);
        await host.StopAsync(Ct);
    }

    [Theory]
    [InlineData(BoardKind.Simulated, "off")]
    [InlineData(BoardKind.Simulated, "OFF")]
    [InlineData(BoardKind.Headless, "http://127.0.0.1:0")]
    [InlineData(BoardKind.Pi, "http://127.0.0.1:0")]
    public async Task PageOffOrBoardNotSimulated_NoServerInTheHost(BoardKind board, string url)
    {
        using var host = await BuildAsync(board, url);

        Assert.Null(host.Services.GetService<SimulatorServer>());
        Assert.DoesNotContain(host.Services.GetServices<IHostedService>(), s => s is SimulatorServer);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8780")]
    [InlineData("http://localhost:8780")]
    [InlineData("http://[::1]:8780/")]
    [InlineData("http://127.0.0.1:0")]
    [InlineData("off")]
    public void Url_LoopbackOrOff_IsAccepted(string url)
    {
        var settings = ConfigurationLoader.Load([("Simulator:Url", url, "--Simulator:Url")], null, new Hashtable());

        Assert.Equal(url, settings.Simulator.Url);
    }

    [Theory]
    [InlineData("http://0.0.0.0:8780", "loopback")]
    [InlineData("http://192.168.1.20:8780", "loopback")]
    [InlineData("http://gateway.local:8780", "IP address or localhost")]
    [InlineData("https://127.0.0.1:8780", "http://")]
    [InlineData("http://127.0.0.1:8780/page", "http://")]
    [InlineData("127.0.0.1:8780", "http://")]
    public void Url_NotLoopbackOrNotPlainHttp_IsRefused(string url, string explanation)
    {
        var ex = Assert.Throws<ConfigurationException>(() =>
            ConfigurationLoader.Load([("Simulator:Url", url, "--Simulator:Url")], null, new Hashtable()));

        var line = Assert.Single(ex.Problems);
        Assert.Contains($"Simulator:Url = \"{url}\"", line, StringComparison.Ordinal);
        Assert.Contains(explanation, line, StringComparison.Ordinal);
    }

    [Fact]
    public void Url_NotLoopback_IsAcceptedWhenExplicitlyAllowed()
    {
        var settings = ConfigurationLoader.Load(
            [("Simulator:Url", "http://0.0.0.0:8780", "--Simulator:Url"), ("Simulator:AllowRemote", "true", "--Simulator:AllowRemote")],
            null, new Hashtable());

        Assert.Equal(IPAddress.Any, settings.Simulator.ToEndPoint().Address);
    }

    [Fact]
    public async Task Run_NonLoopbackUrl_Exit78NamingTheKey()
    {
        var state = _dir.File("state");

        var (code, output, error) = await GatewayProcess.RunAsync(["run", "--simulate", "--state-dir", state, "--Simulator:Url=http://192.168.1.20:8780"]);

        Assert.Equal(78, code);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Simulator:Url = \"http://192.168.1.20:8780\" (from the command line", line, StringComparison.Ordinal);
        Assert.Contains("Simulator:AllowRemote", line, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    private static HttpRequestMessage Action(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Add("X-WaSms-Simulator", "1");
        return request;
    }

    /// <summary>Reads Server-Sent Events until one named <paramref name="name"/>; returns its data line.</summary>
    private async Task<string> NextEventAsync(StreamReader events, string name)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(Patience);
        string? current = null;
        while (await events.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                current = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && current == name)
            {
                return line["data: ".Length..];
            }
        }
        throw new EndOfStreamException($"the event stream ended before a {name} event");
    }
}
