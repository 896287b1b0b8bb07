using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using WaSms.Emulators.Platform.Protocol;
using WaSms.Emulators.Platform.Store;

namespace WaSms.Emulators.Platform.Tunnel;

/// <summary>
/// The platform's side of one tunnel connection (docs/tunnel.md, implemented from its text):
/// challenge, enroll or hello, welcome, then events in (stored, then acked), jobs and commands out
/// (from the store, in seq order, at most <c>window</c> unanswered), replies, state and pairing.
/// Any protocol violation ends the connection with the doc's <c>error</c> and close code.
/// </summary>
public sealed partial class TunnelSession : IDisposable
{
    private static readonly HashSet<string> PlatformOnlyTypes = ["challenge", "enrolled", "welcome", "ack", "send", "command"];

    private readonly WebSocket _socket;
    private readonly PlatformStore _store;
    private readonly TunnelHub _hub;
    private readonly TunnelSettings _settings;
    private readonly TimeProvider _time;
    private readonly Action<string> _log;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Channel<InboundEvent> _events = Channel.CreateUnbounded<InboundEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<long, byte> _unanswered = new();
    private readonly CancellationTokenSource _stop = new();
    private PlatformGateway? _gateway;
    private long _sentUpTo;
    private long _lastCursor;
    private int _eventsInFlight;
    private long _lastFrameTicks;
    private int _failed;

    public TunnelSession(WebSocket socket, PlatformStore store, TunnelHub hub, TunnelSettings settings, TimeProvider time, Action<string> log)
    {
        _socket = socket;
        _store = store;
        _hub = hub;
        _settings = settings;
        _time = time;
        _log = log;
    }

    /// <summary>Serves the connection until either side closes it or it fails.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        var token = linked.Token;
        try
        {
            var reader = new FrameReader(_socket);
            var nonce = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(24));
            await SendAsync(PlatformFrames.Challenge(nonce, _time.GetUtcNow()), token);
            var (gateway, platformSeq) = await HandshakeAsync(reader, nonce, token);
            if (gateway is null)
            {
                return;
            }

            _gateway = gateway;
            _sentUpTo = platformSeq;
            _lastCursor = gateway.AckedCursor;
            Touch();
            if (_hub.Register(gateway.Id, this) is { } previous)
            {
                await previous.FailAsync(new TunnelProtocolException("replaced", "another connection with this gatewayId said hello"));
            }

            _log($"gateway {gateway.Id} connected (resume after seq {platformSeq}, events after cursor {gateway.AckedCursor})");
            await SendAsync(PlatformFrames.Welcome("s_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), gateway.AckedCursor,
                _settings.Window, _settings.PingInterval, _settings.PingTimeout, gateway.Pacing), token);
            var helpers = new[] { Guard(PumpAsync, token), Guard(StoreEventsAsync, token), Guard(WatchdogAsync, token) };
            try
            {
                await ReceiveLoopAsync(reader, token);
            }
            finally
            {
                await _stop.CancelAsync();
                _events.Writer.TryComplete();
                await Task.WhenAll(helpers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        catch (TunnelProtocolException ex)
        {
            await FailAsync(ex);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException)
        {
            // The gateway went away or the emulator stops.
        }
        finally
        {
            if (_gateway is not null)
            {
                _hub.Unregister(_gateway.Id, this);
                _log($"gateway {_gateway.Id} disconnected");
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _sendLock.Dispose();
        _stop.Dispose();
    }

    /// <summary>Wakes the sender: a job or command was queued, or a reply freed room in the window.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>Sends <c>error</c> with the exception's code, closes with its close code and stops the connection (once).</summary>
    public async Task FailAsync(TunnelProtocolException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (Interlocked.Exchange(ref _failed, 1) == 1)
        {
            return;
        }

        _log($"tunnel error {error.Code}: {error.Message}");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await SendAsync(PlatformFrames.Error(error.Code, error.Message, error.Terminal, error.RetryAfter), timeout.Token);
            await _sendLock.WaitAsync(timeout.Token);
            try
            {
                await _socket.CloseOutputAsync(error.CloseStatus, error.Code, timeout.Token);
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            // Already gone.
        }

        try
        {
            await _stop.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // The connection already ended.
        }
    }

    private async Task<(PlatformGateway? Gateway, long PlatformSeq)> HandshakeAsync(FrameReader reader, string nonce, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(_settings.HandshakeTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var frame = await reader.ReadAsync(linked.Token);
        if (frame is not null && FrameReader.Text(frame, "type") == "enroll")
        {
            var enrolled = await EnrollAsync(frame, nonce, cancellationToken);
            await SendAsync(PlatformFrames.Enrolled(enrolled.Id, enrolled.Unique), cancellationToken);
            _log($"gateway {enrolled.Id} enrolled (account {enrolled.Unique})");
            frame = await reader.ReadAsync(linked.Token);
        }

        if (frame is null)
        {
            return (null, 0);
        }

        var type = FrameReader.Text(frame, "type");
        if (type != "hello")
        {
            throw KnownType(type)
                ? new TunnelProtocolException("out-of-order", $"'{type}' before welcome; the gateway first sends enroll or hello")
                : UnknownType(type);
        }

        return await HelloAsync(frame, nonce, cancellationToken);
    }

    private async Task<PlatformGateway> EnrollAsync(JsonObject frame, string nonce, CancellationToken cancellationToken)
    {
        CheckVersion(frame);
        var code = FrameReader.Text(frame, "code");
        var publicKey = FrameReader.Base64(frame, "publicKey");
        var signature = FrameReader.Base64(frame, "signature");
        if (!DeviceSignature.IsP256PublicKey(publicKey))
        {
            throw new TunnelProtocolException("bad-frame", "'publicKey' is not the SubjectPublicKeyInfo of a P-256 key");
        }

        if (!DeviceSignature.Verify(publicKey, DeviceSignature.EnrollPayload(nonce, code), signature))
        {
            throw new TunnelProtocolException("auth-failed", "the enroll signature does not verify with the key sent");
        }

        ThrowIfRefused("add a gateway");
        var (gateway, refusal) = await _store.EnrollAsync(code, publicKey, _settings.CodeLifetime, cancellationToken);
        return gateway ?? throw new TunnelProtocolException("invalid-code", refusal!);
    }

    /// <summary>The refusal set through the dev API (<c>/api/dev/refuse</c>), after authentication as a real platform would.</summary>
    private void ThrowIfRefused(string what)
    {
        if (_hub.Refusal is { } refusal)
        {
            throw new TunnelProtocolException(refusal.Code, refusal.Message ?? refusal.Code switch
            {
                "forbidden" => $"this account may not {what} (plan or suspension)",
                "rate-limited" => $"too many connections; come back in {refusal.RetryAfter} s",
                _ => "the platform is not available now",
            }) { RetryAfter = refusal.RetryAfter };
        }
    }

    private async Task<(PlatformGateway Gateway, long PlatformSeq)> HelloAsync(JsonObject frame, string nonce, CancellationToken cancellationToken)
    {
        CheckVersion(frame);
        var gatewayId = FrameReader.Text(frame, "gatewayId");
        var signature = FrameReader.Base64(frame, "signature");
        var platformSeq = FrameReader.Number(FrameReader.Child(frame, "resume"), "platformSeq");
        var gateway = await _store.GetGatewayAsync(gatewayId, cancellationToken);
        if (gateway is null || !DeviceSignature.Verify(gateway.PublicKey, DeviceSignature.HelloPayload(nonce, gatewayId), signature))
        {
            throw new TunnelProtocolException("auth-failed", gateway is null ? "unknown gatewayId" : "the hello signature does not verify");
        }

        if (gateway.Revoked)
        {
            throw new TunnelProtocolException("revoked", "this gateway was removed from the dashboard");
        }

        ThrowIfRefused("use gateways");

        if (platformSeq < 0 || platformSeq > gateway.LastSeq)
        {
            throw new TunnelProtocolException("out-of-order", $"resume.platformSeq {platformSeq} is not between 0 and the last seq sent ({gateway.LastSeq})");
        }

        return (gateway, platformSeq);
    }

    private static void CheckVersion(JsonObject frame)
    {
        if (FrameReader.Number(frame, "v") != 1)
        {
            throw new TunnelProtocolException("unsupported-version", "this platform speaks protocol v1");
        }
    }

    private static bool KnownType(string type) =>
        PlatformOnlyTypes.Contains(type) || type is "enroll" or "hello" or "event" or "job" or "result" or "state" or "pairing" or "ping" or "pong" or "error";

    private static TunnelProtocolException UnknownType(string type) =>
        new("unknown-type", PlatformOnlyTypes.Contains(type) ? $"'{type}' is a platform frame" : $"unknown frame type '{Truncate(type)}'");

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private void Touch() => Interlocked.Exchange(ref _lastFrameTicks, _time.GetUtcNow().UtcTicks);

    private async Task SendAsync(JsonObject frame, CancellationToken cancellationToken) =>
        await SendTextAsync(frame.ToJsonString(), cancellationToken);

    private async Task SendTextAsync(string json, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }
}
