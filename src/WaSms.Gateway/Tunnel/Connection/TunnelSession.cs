using Microsoft.Extensions.Logging;
using WaSms.Core.State;
using WaSms.Gateway.Messaging;
using WaSms.Gateway.Tunnel.Identity;
using WaSms.Gateway.Tunnel.Protocol;
using WaSms.Gateway.Tunnel.Sync;
using WaSms.Storage;

namespace WaSms.Gateway.Tunnel.Connection;

/// <summary>How a connection ended: the state's reason, and whether and when to try again.</summary>
/// <param name="After">Work to run once the connection is gone (a reset the platform asked for, answered first, §7.1).</param>
/// <param name="Refused">The platform's certificate was refused: retried, but the link shows "refused".</param>
public sealed record SessionEnd(string Reason, string? ErrorCode = null, bool Terminal = false, TimeSpan? RetryAfter = null, bool Welcomed = false,
    TimeSpan Lived = default, Func<CancellationToken, Task>? After = null, bool Refused = false);

/// <summary>Everything a connection works with; one per gateway.</summary>
public sealed record TunnelParts(DeviceIdentity Identity, EnrollmentCodes Codes, IMessagingApi Messaging, GatewayStore Store, JobHandler Jobs,
    CommandHandler Commands, StateReporter Reporter, TunnelLinkStatus Status, Signal StateChanged, TimeProvider Time, ILogger Log,
    string Firmware, string Board);

/// <summary>
/// One connection to the platform (docs/tunnel.md §2–§7): challenge, enroll or hello, welcome; then the
/// event stream out, jobs and commands in, state and pairing on every change, pings both ways. Ends with
/// a <see cref="SessionEnd"/>; the service decides about the next attempt.
/// </summary>
public sealed partial class TunnelSession(TunnelParts parts, FrameSocket socket)
{
    /// <summary>How long each side waits for the other's handshake frame (§2).</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The longest <c>retryAfter</c> honoured (§8): a larger one (a platform bug) waits a day, never longer.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromDays(1);

    public const string PlatformConsumer = Storage.GatewayStore.PlatformConsumer;

    private readonly Signal _acked = new();
    private readonly Lock _lock = new();
    private readonly List<long> _inFlight = [];
    private long _highestSent;
    private long _lastAck;
    private long _lastHeard;
    private double? _clockSkew;

    public async Task<SessionEnd> RunAsync(CancellationToken cancellationToken)
    {
        WelcomeFrame welcome;
        try
        {
            welcome = await HandshakeAsync(cancellationToken);
        }
        catch (SessionEndException ended)
        {
            return ended.End;
        }
        catch (ProtocolException ex)
        {
            return new SessionEnd($"protocol error: {ex.Message}", ex.Code, TunnelErrors.IsTerminal(ex.Code));
        }
        parts.Status.Set(PlatformLinkState.Connected);
        parts.Log.LogInformation("Tunnel connected (session {Session}, platform has events up to {Cursor})", welcome.Session, welcome.AckedCursor);
        var welcomed = parts.Time.GetTimestamp();
        var end = await RunConnectedAsync(welcome, cancellationToken);
        return end with { Welcomed = true, Lived = parts.Time.GetElapsedTime(welcomed) };
    }

    private async Task<WelcomeFrame> HandshakeAsync(CancellationToken cancellationToken)
    {
        var challenge = await ExpectAsync<ChallengeFrame>("challenge", cancellationToken);
        if (FrameValidator.TryParseTime(challenge.Time, out var platformTime))
        {
            _clockSkew = Math.Round((parts.Time.GetUtcNow() - platformTime).TotalSeconds, 1);
        }
        using var key = await parts.Identity.GetOrCreateKeyAsync(cancellationToken);
        var enrollment = await parts.Identity.GetEnrollmentAsync(cancellationToken);
        if (enrollment is null)
        {
            var code = parts.Codes.Current() ?? throw new SessionEndException(new SessionEnd("not enrolled: no enrollment code", Terminal: true));
            await socket.SendAsync(new EnrollFrame
            {
                V = FrameValidator.ProtocolVersion, Code = code, PublicKey = DeviceIdentity.PublicKeyOf(key),
                Signature = DeviceIdentity.Sign(key, "enroll", challenge.Nonce!, code), Firmware = parts.Firmware, Board = parts.Board,
            }, cancellationToken);
            var enrolled = await ExpectAsync<EnrolledFrame>("enrolled", cancellationToken, onError: e =>
            {
                if (e.Code is TunnelErrors.InvalidCode or TunnelErrors.Forbidden)
                {
                    parts.Codes.Reject(code);
                }
            });
            enrollment = new Enrollment(enrolled.GatewayId!, enrolled.Account);
            var spent = EnrollmentCodes.Digest(code);
            await parts.Identity.SaveEnrollmentAsync(key, enrollment, spent, cancellationToken);
            parts.Codes.MarkSpent(spent);
            parts.Log.LogInformation("Enrolled with the platform as {GatewayId}", enrollment.GatewayId);
        }
        var resume = await parts.Store.GetPlatformSeqAsync(cancellationToken);
        await socket.SendAsync(new HelloFrame
        {
            V = FrameValidator.ProtocolVersion, GatewayId = enrollment.GatewayId, Signature = DeviceIdentity.Sign(key, "hello", challenge.Nonce!, enrollment.GatewayId),
            Firmware = parts.Firmware, Board = parts.Board, Resume = new ResumeInfo { PlatformSeq = resume },
        }, cancellationToken);
        return await ExpectAsync<WelcomeFrame>("welcome", cancellationToken, onError: e =>
        {
            if (e.Code is TunnelErrors.AuthFailed or TunnelErrors.Revoked)
            {
                // The id is dead on the platform's side: the next code enrolls again (the key stays); why, survives a restart.
                parts.Identity.ForgetEnrollmentAsync(EndFor(e).Reason, CancellationToken.None).GetAwaiter().GetResult();
            }
        });
    }

    /// <summary>The next frame, which must be a <typeparamref name="T"/> within <see cref="HandshakeTimeout"/>; an <c>error</c> ends the session.</summary>
    private async Task<T> ExpectAsync<T>(string what, CancellationToken cancellationToken, Action<ErrorFrame>? onError = null) where T : TunnelFrame
    {
        using var timeout = new CancellationTokenSource(HandshakeTimeout, parts.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        TunnelFrame? frame;
        try
        {
            frame = await socket.ReceiveAsync(linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new SessionEndException(new SessionEnd($"the platform sent no {what} within {HandshakeTimeout.TotalSeconds:0} s"));
        }
        catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or IOException)
        {
            throw new SessionEndException(new SessionEnd($"connection lost before {what}: {ex.Message}"));
        }
        switch (frame)
        {
            case T expected:
                return expected;
            case null:
                throw new SessionEndException(new SessionEnd($"the platform closed the connection before {what}"));
            case ErrorFrame error:
                onError?.Invoke(error);
                throw new SessionEndException(EndFor(error));
            default:
                throw await socket.FailAsync(new ProtocolException(TunnelErrors.OutOfOrder, $"{frame.Type} before {what}"), cancellationToken);
        }
    }

    /// <summary>What an <c>error</c> from the platform means for the gateway (§8).</summary>
    public static SessionEnd EndFor(ErrorFrame error)
    {
        var code = error.Code!;
        var terminal = TunnelErrors.IsTerminal(code);
        var reason = code switch
        {
            TunnelErrors.Revoked => "enrollment revoked",
            TunnelErrors.InvalidCode => "enrollment code rejected",
            TunnelErrors.AuthFailed => "not enrolled (the platform does not know this gateway)",
            TunnelErrors.Forbidden => "the account may not use gateways",
            TunnelErrors.UnsupportedVersion => "firmware update needed",
            TunnelErrors.Replaced => "another gateway uses this enrollment (a cloned SD card?)",
            TunnelErrors.RateLimited => "rate-limited by the platform",
            _ => $"the platform reported {code}",
        };
        if (!string.IsNullOrWhiteSpace(error.Message))
        {
            reason += ": " + FrameCodec.Printable(error.Message, max: 200);
        }
        return new SessionEnd(reason, code, terminal, error.RetryAfter is { } s ? TimeSpan.FromSeconds(Math.Min(s, MaxRetryAfter.TotalSeconds)) : null);
    }

    private sealed class SessionEndException(SessionEnd end) : Exception(end.Reason)
    {
        public SessionEnd End { get; } = end;
    }
}
