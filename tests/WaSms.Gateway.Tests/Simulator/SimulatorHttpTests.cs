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

    private async Task<IHost> BuildAsync(BoardKind board, string url)
    {
        var settings = new GatewaySettings
        {
            Gateway = new GatewayOptions { StateDirectory = _dir.Path },
            Board = new BoardOptions { Kind = board },
            // Nothing listens there: the WhatsApp link fails quietly, so only the test moves the state.
            WhatsApp = new WhatsAppOptions { ServerUrl = "ws://127.0.0.1:9/ws/chat" },
            Simulator = new SimulatorOptions { Url = url },
        };
        var store = await GatewayStore.OpenAsync(_dir.Path, TimeProvider.System, NullLogger.Instance, CancellationToken.None);
        var logger = TestLog.Create(output);
        return GatewayHost.Build(settings, new SystemdSettings(null, null), store, logger, TimeProvider.System);
    }

    private static async Task<HttpClient> ClientForAsync(IHost host) =>
        new() { BaseAddress = await host.Services.GetRequiredService<SimulatorServer>().Started ?? throw new InvalidOperationException("page not started") };

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
