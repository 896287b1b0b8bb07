using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WaSms.Core.Reset;
using WaSms.Gateway.Configuration;
using WaSms.Hardware.Board;
using WaSms.Gateway.Links;

namespace WaSms.Gateway.Control;

/// <summary>
/// The unix socket (<c>&lt;state-dir&gt;/control.sock</c>, mode 0600) through which the CLI talks
/// to the running service. Never a network listener.
/// </summary>
/// <remarks>
/// Limits, so that a local process holding connections open can neither exhaust the service's file
/// descriptors nor keep <c>status</c> from answering (docs/architecture.md, control socket):
/// at most <see cref="MaxWaiting"/> connections wait for their request line, and a new one closes the
/// oldest waiting one; a request line must arrive within <see cref="RequestDeadline"/> and fit in
/// <see cref="MaxRequestBytes"/>; at most <see cref="MaxRunning"/> slow requests (anything but
/// <c>status</c>/<c>qr</c>, which answer at once) run together, more are answered "busy".
/// A failing connection, or a failing accept, is logged and never stops the service.
/// </remarks>
public sealed class ControlServer(
    GatewayOptions options,
    StatusProvider status,
    IBoard board,
    IResetRequests reset,
    DevCommands dev,
    MessagingCommands messaging,
    WhatsAppLinkService whatsApp,
    TimeProvider time,
    ILogger<ControlServer> log,
    Tunnel.Identity.EnrollmentCodes? enrollment = null,
    Updates.UpdateCoordinator? updates = null,
    Storage.GatewayStore? store = null,
    Core.State.GatewayStateMachine? machine = null,
    Configuration.UpdatesOptions? updateOptions = null,
    Updates.OfferInstaller? offers = null) : BackgroundService
{
    /// <summary>Longest request line, newline included: room for a 4,096-character text (send), JSON-escaped.</summary>
    internal const int MaxRequestBytes = 32 * 1024;

    /// <summary>Most connections that have not sent their request line yet.</summary>
    internal const int MaxWaiting = 16;

    /// <summary>Most requests other than status/qr in progress at once.</summary>
    internal const int MaxRunning = 8;

    /// <summary>Time a connection has to send its request line (the CLI sends it at once).</summary>
    internal static readonly TimeSpan RequestDeadline = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan AcceptRetryDelay = TimeSpan.FromMilliseconds(200);
    private readonly LinkedList<CancellationTokenSource> _waiting = new();
    private int _running;
    private Socket? _listener;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var path = options.ControlSocketPath;
        if (File.Exists(path))
        {
            if (await ControlClient.IsAnsweringAsync(path, cancellationToken))
            {
                throw new InvalidOperationException($"Another gateway is already running with state directory {options.StateDirectory}");
            }
            File.Delete(path); // left behind by a crash
        }
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        // Room for a burst of CLI calls while a hog connects in a loop; the accept loop keeps up.
        listener.Listen(64);
        _listener = listener;
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listener = _listener!;
        while (!stoppingToken.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (SocketException ex)
            {
                // EMFILE and the like: the service goes on; the control socket retries shortly.
                log.LogWarning("Control socket: cannot accept a connection ({Error}); retrying", ex.Message);
                try
                {
                    await Task.Delay(AcceptRetryDelay, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                continue;
            }
            _ = ServeAsync(connection, stoppingToken);
        }
    }

    private async Task ServeAsync(Socket connection, CancellationToken stoppingToken)
    {
        try
        {
            await ServeOneAsync(connection, stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // One connection's failure is that connection's problem only.
            log.LogDebug("Control connection ended: {Error}", ex.Message);
        }
    }

    private async Task ServeOneAsync(Socket connection, CancellationToken stoppingToken)
    {
        using (connection)
        await using (var stream = new NetworkStream(connection, ownsSocket: false))
        {
            string line;
            using (var deadline = new CancellationTokenSource(RequestDeadline, time))
            {
                LinkedListNode<CancellationTokenSource> slot;
                lock (_waiting)
                {
                    if (_waiting.Count >= MaxWaiting)
                    {
                        // The oldest waiting connection has had the longest to speak: it makes room.
                        var oldest = _waiting.First!;
                        _waiting.RemoveFirst();
                        oldest.Value.Cancel();
                    }
                    slot = _waiting.AddLast(deadline);
                }
                try
                {
                    using var reading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, deadline.Token);
                    line = await ReadLineAsync(stream, reading.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    return; // idle past the deadline, or closed to make room: just close
                }
                catch (JsonException ex)
                {
                    await WriteAsync(stream, new ControlResponse(false, $"bad request: {ex.Message}"), stoppingToken);
                    return;
                }
                finally
                {
                    lock (_waiting)
                    {
                        if (slot.List is not null)
                        {
                            _waiting.Remove(slot);
                        }
                    }
                }
            }

            ControlResponse response;
            var counted = false;
            try
            {
                var request = JsonSerializer.Deserialize(line, ControlJson.Default.ControlRequest)
                              ?? throw new JsonException("empty request");
                if (request.Command is not ("status" or "qr"))
                {
                    counted = true;
                    if (Interlocked.Increment(ref _running) > MaxRunning)
                    {
                        await WriteAsync(stream, new ControlResponse(false, $"busy: {MaxRunning} requests are already in progress; try again"), stoppingToken);
                        return;
                    }
                }
                response = await HandleAsync(request, stoppingToken);
            }
            catch (JsonException ex)
            {
                response = new ControlResponse(false, $"bad request: {ex.Message}");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogWarning(ex, "Control request failed");
                response = new ControlResponse(false, ex.Message);
            }
            finally
            {
                if (counted)
                {
                    Interlocked.Decrement(ref _running);
                }
            }
            await WriteAsync(stream, response, stoppingToken);
        }
    }

    private async Task WriteAsync(Stream stream, ControlResponse response, CancellationToken stoppingToken)
    {
        var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(response, ControlJson.Default.ControlResponse) + "\n");
        // A reader that never reads cannot hold the connection: the answer gets the same deadline.
        using var deadline = new CancellationTokenSource(RequestDeadline, time);
        using var writing = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, deadline.Token);
        try
        {
            await stream.WriteAsync(bytes, writing.Token);
        }
        catch (Exception ex) when (ex is IOException || (ex is OperationCanceledException && !stoppingToken.IsCancellationRequested))
        {
            // The CLI went away or does not read; nothing to tell it.
        }
    }

    private async Task<ControlResponse> HandleAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        switch (request.Command)
        {
            case "status":
            case "qr":
                return new ControlResponse(true, Status: await status.GetReportAsync(cancellationToken));
            case "press":
                var hold = TimeSpan.FromSeconds(Math.Clamp(request.HoldSeconds ?? 0, 0, 60));
                var gesture = await board.Button.PressAndReleaseAsync(hold, cancellationToken);
                return new ControlResponse(true, Message: $"button {(gesture is null ? "was already down" : gesture.ToString())}");
            case "reset":
                var kind = request.Factory ? ResetKind.FactoryReset : ResetKind.Relink;
                // A stop to protect undelivered items is also a question on the screen (the state carries it).
                var outcome = await reset.ResetAsync(kind, "wasms-gateway reset", cancellationToken);
                return new ControlResponse(outcome.Completed, outcome.Completed ? null : outcome.Message, Message: outcome.Message);
            case "enroll" when enrollment is not null:
                try
                {
                    enrollment.Set(request.Text ?? "");
                    return new ControlResponse(true, Message: "Enrollment code stored; the gateway links to the platform now (see 'wasms-gateway status')");
                }
                catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException)
                {
                    return new ControlResponse(false, ex.Message);
                }
            case "pair-code":
                try
                {
                    var code = await whatsApp.RequestPairingCodeAsync(request.PhoneNumber ?? "", cancellationToken);
                    return new ControlResponse(true, Message: $"Pairing code {code}: on your phone, {LinkTexts.PhoneNumberPath}, then enter the code");
                }
                catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or WhatsApp.Pairing.PairingCodeException or TimeoutException
                                           || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    return new ControlResponse(false, ex.Message);
                }
            case "update" when updates is not null:
                return await StartUpdateAsync(updates, request, cancellationToken);
            case "update-dismiss" when store is not null && machine is not null:
                return await Updates.UpdateOutcomes.DismissAsync(store, machine, cancellationToken)
                    ? new ControlResponse(true, Message: "The rolled-back update is no longer shown")
                    : new ControlResponse(true, Message: "No rolled-back update to dismiss");
            case "dev-code":
                return await dev.EnterCodeAsync(request.Qr, cancellationToken);
            case "dev-scan":
                return await dev.ScanAsync(request.Qr, cancellationToken);
            default:
                return await messaging.HandleAsync(request, cancellationToken)
                       ?? new ControlResponse(false, $"unknown command \"{request.Command}\"");
        }
    }

    /// <summary>
    /// Checks the bundle now and starts installing it, or starts downloading it from its URL, or wakes the installer of
    /// the platform's offer; the CLI follows the update in <c>status</c>.
    /// </summary>
    private async Task<ControlResponse> StartUpdateAsync(Updates.UpdateCoordinator updates, ControlRequest request, CancellationToken cancellationToken)
    {
        if (request.Offer)
        {
            return offers is not null && await offers.InstallNowAsync(cancellationToken) is { } version
                ? new ControlResponse(true, Message: $"Installing the platform's update {version} as soon as it is downloaded; the board reboots into it")
                : new ControlResponse(false, "the platform offers no update to install", Code: "usage");
        }
        try
        {
            if (request.Url is { } text)
            {
                if (Updates.BundleDownloader.CheckUrl(text, updateOptions?.AllowHttp ?? false, out var url) is { } problem)
                {
                    return new ControlResponse(false, problem, Code: "usage");
                }
                if (request.WhenQuiet)
                {
                    if (offers is null || request.Version is not { } version || !Updates.FirmwareVersion.IsVersion(version)
                        || request.Sha256 is not { } offeredSha || !Updates.BundleDownloader.IsSha256(offeredSha))
                    {
                        return new ControlResponse(false, "an offer needs the bundle's version and its sha256 (64 hex digits)", Code: "usage");
                    }
                    await offers.OfferAsync(new Tunnel.Protocol.UpdateOffer { Version = version, Url = url!.AbsoluteUri, Sha256 = offeredSha, Urgent = request.Urgent },
                        cancellationToken);
                    return new ControlResponse(true, Message: request.Urgent
                        ? $"Update {version} offered as urgent: it installs as soon as it is downloaded; the board reboots into it"
                        : $"Update {version} offered: it downloads now and installs at a quiet moment (or now: 'wasms-gateway update --offer', or a short press of the button); the board reboots into it");
                }
                if (request.Sha256 is { } sha && !Updates.BundleDownloader.IsSha256(sha))
                {
                    return new ControlResponse(false, $"--sha256 takes 64 hex digits, not \"{sha}\"", Code: "usage");
                }
                var downloading = updates.StartDownload(url!, request.Sha256, request.Reboot, cancellationToken);
                return new ControlResponse(true, Message: $"Downloading {downloading.Bundle}", Update: downloading);
            }
            var bundle = request.Bundle;
            if (string.IsNullOrEmpty(bundle) || !Path.IsPathFullyQualified(bundle))
            {
                return new ControlResponse(false, "update needs the bundle's absolute path", Code: "usage");
            }
            var report = await updates.StartAsync(bundle, cancellationToken, request.Reboot);
            return report.Phase == "installing"
                ? new ControlResponse(true, Message: $"Update {report.Version} checked; installing", Update: report)
                : new ControlResponse(false, $"update refused: {report.Reason}", Code: "refused", Update: report);
        }
        catch (Updates.UpdateBusyException ex)
        {
            return new ControlResponse(false, ex.Message, Code: "busy");
        }
    }

    private static async Task<string> ReadLineAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxRequestBytes];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                break;
            }
            length += read;
            var newline = Array.IndexOf(buffer, (byte)'\n', 0, length);
            if (newline >= 0)
            {
                return Encoding.UTF8.GetString(buffer, 0, newline);
            }
        }
        if (length == buffer.Length)
        {
            throw new JsonException($"request longer than {MaxRequestBytes} bytes");
        }
        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        _listener?.Dispose();
        try
        {
            File.Delete(options.ControlSocketPath);
        }
        catch (IOException)
        {
        }
    }
}
