using System.Net.WebSockets;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using WaSms.Emulators.Platform.Protocol;
using WaSms.Emulators.Platform.Store;

namespace WaSms.Emulators.Platform.Tunnel;

/// <summary>After <c>welcome</c>: the gateway's frames, the reliable frames out, the event store and the silence deadline.</summary>
public sealed partial class TunnelSession
{
    private static readonly (string Field, string State)[] JobTimes = [("acceptedAt", "accepted"), ("sentAt", "sent"), ("deliveredAt", "delivered"), ("readAt", "read"), ("failedAt", "failed")];

    private PlatformGateway Gateway => _gateway ?? throw new InvalidOperationException("no hello yet");

    private async Task ReceiveLoopAsync(FrameReader reader, CancellationToken cancellationToken)
    {
        while (await reader.ReadAsync(cancellationToken) is { } frame)
        {
            Touch();
            var type = FrameReader.Text(frame, "type");
            switch (type)
            {
                case "event":
                    ReceiveEvent(frame);
                    break;
                case "job":
                    await ReceiveJobAsync(frame, cancellationToken);
                    break;
                case "result":
                    await ReceiveResultAsync(frame, cancellationToken);
                    break;
                case "state":
                    _ = FrameReader.Text(frame, "state");
                    await _store.RecordReportAsync(Gateway.Id, pairing: false, frame.ToJsonString(), cancellationToken);
                    break;
                case "pairing":
                    _ = FrameReader.Text(frame, "mode");
                    await _store.RecordReportAsync(Gateway.Id, pairing: true, frame.ToJsonString(), cancellationToken);
                    break;
                case "ping":
                    await SendAsync(PlatformFrames.Pong(FrameReader.Text(frame, "id")), cancellationToken);
                    break;
                case "pong":
                    break;
                case "error":
                    _log($"gateway {Gateway.Id} sent error {FrameReader.OptionalText(frame, "code")}");
                    return;
                case "enroll" or "hello":
                    throw new TunnelProtocolException("out-of-order", $"'{type}' after welcome");
                default:
                    throw UnknownType(type);
            }
        }

        // The gateway closed: answer its close.
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private void ReceiveEvent(JsonObject frame)
    {
        var cursor = FrameReader.Number(frame, "cursor");
        var kind = FrameReader.Text(frame, "kind");
        JsonObject body;
        if (kind == "message")
        {
            body = FrameReader.Child(frame, "message");
            _ = (FrameReader.Text(body, "id"), FrameReader.Text(body, "chat"), FrameReader.Text(body, "from"));
        }
        else if (kind == "status")
        {
            body = FrameReader.Child(frame, "status");
            _ = (FrameReader.Text(body, "state"), FrameReader.OptionalText(body, "jobId"));
        }
        else
        {
            throw new TunnelProtocolException("bad-frame", "an event's 'kind' is 'message' or 'status'");
        }

        if (cursor <= _lastCursor && cursor > Gateway.AckedCursor)
        {
            throw new TunnelProtocolException("out-of-order", $"event cursor {cursor} after {_lastCursor}; cursors only go up");
        }

        _lastCursor = Math.Max(_lastCursor, cursor);
        if (Interlocked.Increment(ref _eventsInFlight) > _settings.Window)
        {
            throw new TunnelProtocolException("out-of-order", $"more than window ({_settings.Window}) events unacknowledged");
        }

        _events.Writer.TryWrite(new InboundEvent(cursor, kind, body.ToJsonString()));
    }

    private async Task ReceiveJobAsync(JsonObject frame, CancellationToken cancellationToken)
    {
        var jobId = FrameReader.Text(frame, "jobId");
        var seq = FrameReader.Number(frame, "seq");
        var state = FrameReader.Text(frame, "state");
        var reason = FrameReader.OptionalText(frame, "reason");
        // job-id-reused refuses that frame only; the original job is untouched (docs/tunnel.md §6).
        if (reason != "job-id-reused")
        {
            var updates = new List<JobUpdate> { new(jobId, state, reason, FrameReader.OptionalText(frame, "messageId"), PlatformFrames.ParseTime(frame["at"])) };
            updates.AddRange(JobTimes.Where(t => frame[t.Field] is not null).Select(t => new JobUpdate(jobId, t.State, null, null, PlatformFrames.ParseTime(frame[t.Field]))));
            await _store.RecordJobAsync(Gateway.Id, updates, cancellationToken);
        }

        Answered(seq);
    }

    private async Task ReceiveResultAsync(JsonObject frame, CancellationToken cancellationToken)
    {
        var id = FrameReader.Text(frame, "id");
        var seq = FrameReader.Number(frame, "seq");
        var ok = FrameReader.Boolean(frame, "ok");
        var data = frame["data"] is JsonObject value ? value.ToJsonString() : null;
        var command = await _store.RecordResultAsync(Gateway.Id, id, ok, FrameReader.OptionalText(frame, "error"), FrameReader.OptionalText(frame, "message"), data, cancellationToken);
        Answered(seq);
        // delete/wa.account revoked the credential and sent reset/unlink: once the gateway answered that command, the connection ends.
        if (command is ("reset", var args) && (string?)JsonNode.Parse(args)?["mode"] == "unlink" &&
            (await _store.GetGatewayAsync(Gateway.Id, cancellationToken))?.Revoked == true)
        {
            throw new TunnelProtocolException("revoked", "this gateway was removed from the dashboard");
        }
    }

    private void Answered(long seq)
    {
        _unanswered.TryRemove(seq, out _);
        Wake();
    }

    /// <summary>Sends the stored send/command frames after <see cref="_sentUpTo"/>, in seq order, keeping at most <c>window</c> unanswered.</summary>
    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var room = _settings.Window - _unanswered.Count;
            var frames = room > 0 ? await _store.OutboxAfterAsync(Gateway.Id, _sentUpTo, room, cancellationToken) : [];
            foreach (var frame in frames)
            {
                _unanswered[frame.Seq] = 0;
                _sentUpTo = frame.Seq;
                await SendTextAsync(frame.Json, cancellationToken);
            }

            if (frames.Count == 0 || frames.Count < room)
            {
                await _wake.Reader.ReadAsync(cancellationToken);
            }
        }
    }

    /// <summary>Stores what arrived (one transaction per batch, on disk) and only then acks it.</summary>
    private async Task StoreEventsAsync(CancellationToken cancellationToken)
    {
        var batch = new List<InboundEvent>();
        while (await _events.Reader.WaitToReadAsync(cancellationToken))
        {
            batch.Clear();
            while (batch.Count < 500 && _events.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            var acked = await _store.StoreEventsAsync(Gateway.Id, batch, cancellationToken);
            Interlocked.Add(ref _eventsInFlight, -batch.Count);
            await SendAsync(PlatformFrames.Ack(acked), cancellationToken);
        }
    }

    /// <summary>Closes a gateway silent for 2 × pingInterval + pingTimeout (docs/tunnel.md §7.4).</summary>
    private async Task WatchdogAsync(CancellationToken cancellationToken)
    {
        var limit = TimeSpan.FromSeconds((2 * _settings.PingInterval) + _settings.PingTimeout);
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken);
            if (_time.GetUtcNow().UtcTicks - Interlocked.Read(ref _lastFrameTicks) > limit.Ticks)
            {
                _log($"gateway {Gateway.Id} silent for {limit.TotalSeconds:0} s: closing the half-open connection");
                _socket.Abort();
                await _stop.CancelAsync();
                return;
            }
        }
    }

    private async Task Guard(Func<CancellationToken, Task> loop, CancellationToken cancellationToken)
    {
        try
        {
            await loop(cancellationToken);
        }
        catch (TunnelProtocolException ex)
        {
            await FailAsync(ex);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ChannelClosedException)
        {
            await _stop.CancelAsync();
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException or System.Text.Json.JsonException)
        {
            _log($"platform failure: {ex.Message}");
            await FailAsync(new TunnelProtocolException("internal", "the platform failed"));
        }
    }
}
