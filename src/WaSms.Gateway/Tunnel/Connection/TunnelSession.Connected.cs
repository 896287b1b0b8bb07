using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using WaSms.Gateway.Tunnel.Protocol;

namespace WaSms.Gateway.Tunnel.Connection;

/// <summary>The connection after <c>welcome</c>: four loops (frames in, events out, state out, pings); the first to end ends them all.</summary>
public sealed partial class TunnelSession
{
    private async Task<SessionEnd> RunConnectedAsync(WelcomeFrame welcome, CancellationToken cancellationToken)
    {
        _lastAck = _highestSent = welcome.AckedCursor!.Value;
        Volatile.Write(ref _lastHeard, parts.Time.GetTimestamp());
        var window = welcome.Window ?? 100;
        var pingInterval = TimeSpan.FromSeconds(welcome.PingInterval ?? 20);
        var pingTimeout = TimeSpan.FromSeconds(welcome.PingTimeout ?? 10);
        await parts.Commands.ApplyWelcomePacingAsync(welcome.Pacing, cancellationToken);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // The ping loop starts first: it runs up to its first timer wait at once, so the half-open clock is
        // armed before the first state frame leaves (a test on a fake clock relies on that order too).
        Task<SessionEnd>[] loops =
        [
            GuardAsync(ct => PingLoopAsync(pingInterval, pingTimeout, ct), stop.Token),
            GuardAsync(ReadLoopAsync, stop.Token),
            GuardAsync(ct => EventLoopAsync(window, ct), stop.Token),
            GuardAsync(StateLoopAsync, stop.Token),
        ];
        var first = await Task.WhenAny(loops);
        await stop.CancelAsync();
        try
        {
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(1), parts.Time, CancellationToken.None);
        }
        catch (Exception ex) when (ex is WebSocketException or TimeoutException or ObjectDisposedException or IOException or OperationCanceledException)
        {
            // Closing is a courtesy; the socket is aborted when disposed.
        }
        await socket.DisposeAsync();
        await Task.WhenAll(loops);
        return await first;
    }

    /// <summary>Runs one loop and turns how it ended into a <see cref="SessionEnd"/> (a loop ends only by problem or cancellation).</summary>
    private async Task<SessionEnd> GuardAsync(Func<CancellationToken, Task<SessionEnd>> loop, CancellationToken cancellationToken)
    {
        try
        {
            return await loop(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new SessionEnd("stopped");
        }
        catch (ProtocolException ex)
        {
            parts.Log.LogWarning("Tunnel: {Code}: {Problem}", ex.Code, ex.Message);
            return new SessionEnd($"protocol error: {ex.Message}", ex.Code, TunnelErrors.IsTerminal(ex.Code));
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            return new SessionEnd($"connection lost: {ex.Message}");
        }
    }

    private async Task<SessionEnd> ReadLoopAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var frame = await socket.ReceiveAsync(cancellationToken);
            if (frame is null)
            {
                return new SessionEnd("the platform closed the connection");
            }
            Volatile.Write(ref _lastHeard, parts.Time.GetTimestamp());
            try
            {
                if (await HandleAsync(frame, cancellationToken) is { } end)
                {
                    return end;
                }
            }
            catch (ProtocolException ex)
            {
                throw await socket.FailAsync(ex, cancellationToken);
            }
        }
    }

    /// <summary>One frame from the platform; a <see cref="SessionEnd"/> when it ends the connection.</summary>
    private async Task<SessionEnd?> HandleAsync(TunnelFrame frame, CancellationToken cancellationToken)
    {
        switch (frame)
        {
            case PingFrame ping:
                await socket.SendAsync(new PongFrame { Id = ping.Id }, cancellationToken);
                break;
            case PongFrame:
                break;
            case AckFrame ack:
                await AckAsync(ack.Cursor!.Value, cancellationToken);
                break;
            case SendFrame send:
                var job = await parts.Jobs.HandleAsync(send, await parts.Store.GetPlatformSeqAsync(cancellationToken), cancellationToken);
                await socket.SendAsync(job, cancellationToken);
                break;
            case CommandFrame command:
                var outcome = await parts.Commands.HandleAsync(command, await parts.Store.GetPlatformSeqAsync(cancellationToken), cancellationToken);
                await socket.SendAsync(outcome.Result, cancellationToken);
                if (outcome.SendStateNow)
                {
                    parts.StateChanged.Pulse();
                }
                if (outcome.After is { } after)
                {
                    return new SessionEnd("a reset from the platform", After: after);
                }
                break;
            case ErrorFrame error:
                return EndFor(error);
            default:
                throw new ProtocolException(TunnelErrors.UnknownType, $"a {frame.Type} frame is the gateway's to send, or the handshake's (docs/tunnel.md §2)");
        }
        return null;
    }

    private async Task AckAsync(long cursor, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (cursor > _highestSent)
            {
                throw new ProtocolException(TunnelErrors.OutOfOrder, $"ack.cursor: {cursor} is beyond the last event sent ({_highestSent})");
            }
            if (cursor <= _lastAck)
            {
                return; // an older ack: ignored (§5)
            }
            _lastAck = cursor;
            _inFlight.RemoveAll(c => c <= cursor);
        }
        await parts.Messaging.AckAsync(PlatformConsumer, cursor, cancellationToken);
        _acked.Pulse();
    }

    /// <summary>Sends the stream after the platform's cursor, never more than <paramref name="window"/> unacknowledged (§5.1).</summary>
    private async Task<SessionEnd> EventLoopAsync(int window, CancellationToken cancellationToken)
    {
        var cursor = _highestSent;
        while (true)
        {
            var acked = _acked.Next;
            int room;
            lock (_lock)
            {
                room = window - _inFlight.Count;
            }
            if (room <= 0)
            {
                await acked.WaitAsync(cancellationToken);
                continue;
            }
            var entries = await parts.Messaging.ReadEventsAsync(cursor, room, cancellationToken);
            if (entries.Count == 0)
            {
                await parts.Messaging.WaitForEventsAsync(cursor, cancellationToken);
                continue;
            }
            foreach (var (entry, frame) in await Sync.EventMapper.ToFramesAsync(entries, parts.Store, parts.Identity, cancellationToken))
            {
                cursor = entry.Cursor;
                if (frame is null)
                {
                    continue;
                }
                lock (_lock)
                {
                    _inFlight.Add(entry.Cursor);
                    _highestSent = entry.Cursor;
                }
                await socket.SendAsync(frame, cancellationToken);
            }
        }
    }

    /// <summary>A <c>state</c> frame now and on every change (and <c>pairing</c> when it changed), latest wins (§7.2–§7.3).</summary>
    private async Task<SessionEnd> StateLoopAsync(CancellationToken cancellationToken)
    {
        PairingFrame? lastPairing = null;
        while (true)
        {
            var changed = parts.StateChanged.Next;
            await socket.SendAsync(await parts.Reporter.BuildStateAsync(parts.Firmware, parts.Board, _clockSkew, cancellationToken), cancellationToken);
            var pairing = parts.Reporter.BuildPairing();
            if (lastPairing is null || pairing.Mode != lastPairing.Mode || pairing.Qr != lastPairing.Qr || pairing.Code != lastPairing.Code)
            {
                await socket.SendAsync(pairing, cancellationToken);
                lastPairing = pairing;
            }
            await changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Pings every <paramref name="interval"/>; nothing heard for interval + timeout is a half-open connection (§7.4).</summary>
    private async Task<SessionEnd> PingLoopAsync(TimeSpan interval, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = interval + timeout;
        var lastPing = parts.Time.GetTimestamp();
        var pings = 0;
        while (true)
        {
            var silent = parts.Time.GetElapsedTime(Volatile.Read(ref _lastHeard));
            if (silent >= deadline)
            {
                return new SessionEnd($"half-open: nothing from the platform for {silent.TotalSeconds:0} s");
            }
            var sincePing = parts.Time.GetElapsedTime(lastPing);
            if (sincePing >= interval)
            {
                await socket.SendAsync(new PingFrame { Id = $"g_{++pings}" }, cancellationToken);
                lastPing = parts.Time.GetTimestamp();
                sincePing = TimeSpan.Zero;
            }
            var wait = Min(interval - sincePing, deadline - silent);
            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), parts.Time, cancellationToken);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
