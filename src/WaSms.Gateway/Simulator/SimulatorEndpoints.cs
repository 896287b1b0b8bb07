using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using WaSms.Core.State;
using WaSms.Gateway.Control;
using WaSms.Hardware.Imaging;
using WaSms.Hardware.Leds;
using WaSms.Hardware.Simulated;

namespace WaSms.Gateway.Simulator;

/// <summary>
/// The page's routes. Every handler is a plain <see cref="RequestDelegate"/>, so nothing depends on
/// the reflection-based delegate factory (Native AOT).
/// </summary>
/// <param name="stopping">Cancelled when the gateway stops, so open event streams end and Kestrel can stop at once.</param>
internal sealed class SimulatorEndpoints(GatewayStateMachine machine, SimulatedBoard board, DevCommands dev, SimulatorFeed feed, CancellationToken stopping)
{
    /// <summary>Required on every POST: a page on another origin cannot set it without a CORS preflight, which is never granted.</summary>
    public const string ActionHeader = "X-WaSms-Simulator";

    private readonly SimulatorAssets _assets = SimulatorAssets.Load();
    private readonly Lock _pngGate = new();
    private (long Version, byte[] Png) _png = (-1, []);

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/", context => ServeAssetAsync(context, "index.html", "text/html; charset=utf-8"));
        routes.MapGet("/app.js", context => ServeAssetAsync(context, "app.js", "text/javascript; charset=utf-8"));
        routes.MapGet("/style.css", context => ServeAssetAsync(context, "style.css", "text/css; charset=utf-8"));
        routes.MapGet("/frame.png", ServeFrameAsync);
        routes.MapGet("/events", StreamEventsAsync);
        routes.MapPost("/button/press", PressAsync);
        routes.MapPost("/button/release", ReleaseAsync);
        routes.MapPost("/dev/scan", ScanAsync);
    }

    private async Task ServeAssetAsync(HttpContext context, string name, string contentType)
    {
        context.Response.ContentType = contentType;
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.Body.WriteAsync(_assets[name], context.RequestAborted);
    }

    private async Task ServeFrameAsync(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        var png = CurrentPng();
        if (png is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        context.Response.ContentType = "image/png";
        context.Response.ContentLength = png.Length;
        await context.Response.Body.WriteAsync(png, context.RequestAborted);
    }

    /// <summary>The last frame as PNG, encoded once per refresh however many pages ask.</summary>
    private byte[]? CurrentPng()
    {
        var panel = board.Panel;
        lock (_pngGate)
        {
            var version = panel.FrameVersion;
            if (_png.Version != version)
            {
                var frame = panel.LastFrame;
                if (frame is null)
                {
                    return null;
                }
                _png = (version, PngEncoder.Encode(frame));
            }
            return _png.Png;
        }
    }

    /// <summary>Server-Sent Events: <c>state</c>, <c>frame</c>, <c>leds</c>, <c>button</c>; each sent at connect and then whenever it changes.</summary>
    private async Task StreamEventsAsync(HttpContext context)
    {
        using var streaming = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var cancellationToken = streaming.Token;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        StateView? lastState = null;
        FrameView? lastFrame = null;
        LedsView? lastLeds = null;
        ButtonView? lastButton = null;
        try
        {
            while (true)
            {
                var version = feed.Version;
                await SendIfChangedAsync(response, "state", StateOf(machine.Current), ref lastState, SimulatorJson.Default.StateView, cancellationToken);
                var panel = board.Panel;
                await SendIfChangedAsync(response, "frame", panel.FrameVersion == 0 ? null : new FrameView(panel.FrameVersion, panel.Width, panel.Height),
                    ref lastFrame, SimulatorJson.Default.FrameView, cancellationToken);
                await SendIfChangedAsync(response, "leds", LedsViewOf(board.Lights.Current), ref lastLeds, SimulatorJson.Default.LedsView, cancellationToken);
                await SendIfChangedAsync(response, "button", new ButtonView(board.Button.PressedAt is not null), ref lastButton, SimulatorJson.Default.ButtonView, cancellationToken);
                await response.Body.FlushAsync(cancellationToken);
                await feed.WaitForChangeAsync(version, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The page went away or the gateway is stopping.
        }
    }

    // ref locals cannot cross an await, so the "last sent" bookkeeping happens before the write starts.
    private static ValueTask SendIfChangedAsync<T>(HttpResponse response, string name, T? value, ref T? last, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        if (value is null || value.Equals(last))
        {
            return ValueTask.CompletedTask;
        }
        last = value;
        var line = $"event: {name}\ndata: {JsonSerializer.Serialize(value, type)}\n\n";
        return response.Body.WriteAsync(Encoding.UTF8.GetBytes(line), cancellationToken);
    }

    private StateView StateOf(GatewaySnapshot snapshot) => new(
        snapshot.StateName,
        snapshot.Reason,
        snapshot.Since,
        snapshot.Sequence,
        snapshot.Pairing?.PairingCode,
        snapshot.Pairing?.QrExpiresAt,
        snapshot.Account?.MaskedNumber,
        dev.Enabled && snapshot.Pairing?.QrCode is not null);


    /// <summary>
    /// Mode names as <c>status</c> prints them, plus each blinking mode's on/off segments in ms
    /// (positive lit, negative dark) from <see cref="LedTimeline"/>, so the page blinks exactly as the GPIO pins do.
    /// </summary>
    internal static LedsView LedsViewOf(LedPattern pattern)
    {
        var timings = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var mode in (LedMode[])[pattern.Green, pattern.Amber, pattern.Red])
        {
            var segments = LedTimeline.Segments(mode);
            if (segments.Count > 0)
            {
                timings[LedModeNames.Of(mode)] = [.. segments.Select(s => (int)s.Length.TotalMilliseconds * (s.Lit ? 1 : -1))];
            }
        }
        return new LedsView(LedModeNames.Of(pattern.Green), LedModeNames.Of(pattern.Amber), LedModeNames.Of(pattern.Red), timings);
    }

    private Task PressAsync(HttpContext context)
    {
        board.Button.Press();
        feed.Pulse();
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    private async Task ReleaseAsync(HttpContext context)
    {
        var gesture = board.Button.Release();
        feed.Pulse();
        var response = new ControlResponse(true, Message: gesture is null ? "the button was not down" : $"button {gesture}");
        await context.Response.WriteAsJsonAsync(response, SimulatorJson.Default.ControlResponse, contentType: null, context.RequestAborted);
    }

    private async Task ScanAsync(HttpContext context)
    {
        var response = await dev.ScanAsync(null, context.RequestAborted);
        if (!response.Ok)
        {
            context.Response.StatusCode = StatusCodes.Status409Conflict;
        }
        await context.Response.WriteAsJsonAsync(response, SimulatorJson.Default.ControlResponse, contentType: null, context.RequestAborted);
    }
}
