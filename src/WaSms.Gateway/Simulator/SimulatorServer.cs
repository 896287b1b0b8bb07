using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WaSms.Core.State;
using WaSms.Gateway.Configuration;
using WaSms.Gateway.Control;
using WaSms.Hardware.Board;
using WaSms.Hardware.Simulated;

namespace WaSms.Gateway.Simulator;

/// <summary>
/// The dev-mode simulator page: a Kestrel server of its own, started and stopped with the gateway's
/// host. Registered only for the simulated board with <c>Simulator:Url</c> not <c>off</c>, so a real
/// board never loads Kestrel or opens a port.
/// </summary>
public sealed class SimulatorServer(
    SimulatorOptions options,
    SimulatorAccess access,
    GatewayStateMachine machine,
    IBoard board,
    DevCommands dev,
    ILoggerFactory loggerFactory,
    ILogger<SimulatorServer> log) : IHostedService, IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task<Uri?> _started = Task.FromResult<Uri?>(null);
    private WebApplication? _app;
    private SimulatorFeed? _feed;

    /// <summary>
    /// The page's address with its access token once it listens (the real port when
    /// <c>Simulator:Url</c> asked for port 0), or null when it could not start.
    /// </summary>
    public Task<Uri?> Started => _started;

    /// <summary>Starts the page in the background: the gateway's own start-up (and READY) never waits for Kestrel.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var simulated = board as SimulatedBoard
                        ?? throw new InvalidOperationException($"the simulator page needs the simulated board, not {board.Kind}");
        _started = Task.Run(() => ServeAsync(simulated, _stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task<Uri?> ServeAsync(SimulatedBoard simulated, CancellationToken cancellationToken)
    {
        _feed = new SimulatorFeed(machine, simulated);
        var endpoints = new SimulatorEndpoints(machine, simulated, dev, _feed, cancellationToken);

        // The empty builder reads no appsettings or ASPNETCORE_* variables: the listen address comes
        // from Simulator:Url alone, and only Kestrel and routing are linked into the AOT binary.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "wasms-gateway-simulator" });
        builder.Services.AddLogging();
        // Kestrel logs through the gateway's Serilog; the inner host's own "Hosting failed to start"
        // (with a stack trace) is left out: a failed start is caught and said once below.
        builder.Services.AddSingleton<ILoggerFactory>(new InnerHostLoggerFactory(loggerFactory));
        // The gateway's own lifetime handles SIGTERM; this inner host must not register a second handler.
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore();
        var endPoint = options.ToEndPoint();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(endPoint);
        });

        var app = builder.Build();
        app.Use(GuardAsync);
        endpoints.Map(app);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or AddressInUseException or SocketException)
        {
            // A second dev gateway on the same machine: the page is a convenience, the gateway runs on without it.
            log.LogWarning("Simulator page not started: {Url}: {Message}", options.Url, ex.Message);
            await app.DisposeAsync();
            return null;
        }
        catch (OperationCanceledException)
        {
            await app.DisposeAsync();
            return null;
        }
        catch (Exception ex)
        {
            // Nothing awaits this task until shutdown: say it now, and let the gateway run on without the page.
            log.LogError(ex, "Simulator page not started: {Url}", options.Url);
            await app.DisposeAsync();
            return null;
        }
        _app = app;

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        var url = access.WithToken(new Uri(address ?? options.Url.Trim()));
        try
        {
            access.WriteUrlFile(url);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            log.LogWarning("Simulator page URL not written to {Path}: {Message}", access.UrlFile, ex.Message);
        }
        // Like Jupyter's: the token is in the link, so the page opens from this line (or `scripts/gw page`).
        log.LogInformation("Simulator page: {Url} (frame, LEDs, button, dev scan)", url);
        return url;
    }

    /// <summary>
    /// Refuses requests whose Host is not the loopback address (a DNS-rebinding page cannot reach the
    /// button), every request without the access token (another local user cannot read the QR or press
    /// the button: 401), and actions without <see cref="SimulatorEndpoints.ActionHeader"/> (a cross-site form cannot post one).
    /// </summary>
    private Task GuardAsync(HttpContext context, RequestDelegate next)
    {
        var host = context.Request.Host.Host;
        var hostAllowed = options.AllowRemote || host is "127.0.0.1" or "localhost" or "[::1]" or "::1"
                          || host.StartsWith("127.", StringComparison.Ordinal);
        if (!hostAllowed)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }
        if (!access.Admit(context))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync(
                $"The simulator page needs its token: open the URL the gateway logged at start-up (or in {SimulatorAccess.UrlFileName} in the state directory).\n",
                context.RequestAborted);
        }
        var actionAllowed = HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
                            || context.Request.Headers[SimulatorEndpoints.ActionHeader] == "1";
        if (!actionAllowed)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }
        return next(context);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _started; // the page's own start-up ends quickly once cancelled
        access.DeleteUrlFile();
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
            _app = null;
        }
        if (_feed is not null)
        {
            await _feed.DisposeAsync();
            _feed = null;
        }
        _stopping.Dispose();
    }

    /// <summary>A host lifetime that leaves signals to the gateway's own host.</summary>
    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>The gateway's logger factory minus the embedded host's own lifecycle category.</summary>
internal sealed class InnerHostLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) =>
        categoryName == "Microsoft.Extensions.Hosting.Internal.Host"
            ? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance
            : inner.CreateLogger(categoryName);

    // The gateway owns the providers and disposes the factory itself.
    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose()
    {
    }
}
