using WaSms.Gateway.Messaging;
using WaSms.WhatsApp.Store;

namespace WaSms.Gateway.Control;

/// <summary>
/// The control socket's messaging commands over <see cref="IMessagingApi"/>: <c>send</c>, <c>messages</c>
/// (one page of the stream, optionally waiting for the first new event: <c>--follow</c> asks again and
/// again), <c>groups</c>, dev mode's contacts (<c>dev-say</c>, <c>dev-group-say</c>, <c>dev-inbox</c>), and the
/// opt-out list (<c>optouts</c>, <c>optouts-remove</c>).
/// </summary>
public sealed class MessagingCommands(IMessagingApi api, IGroupDirectory groups, IDevPhone dev, TimeProvider time, Messaging.Pacing.OptOutList? optOuts = null)
{
    /// <summary>Most events in one <c>messages</c> answer.</summary>
    public const int MaxEventsPerAnswer = 100;

    /// <summary>Longest a request may wait (for <c>sent</c>, or for a new event); the CLI asks again after that.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(5);

    /// <summary>The answer to <paramref name="request"/>, or null when it is not a messaging command.</summary>
    public async Task<ControlResponse?> HandleAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return request.Command switch
            {
                "send" => await SendAsync(request, cancellationToken),
                "messages" => await MessagesAsync(request, cancellationToken),
                "groups" => new ControlResponse(true, Groups: [.. (await groups.GetJoinedGroupsAsync(cancellationToken))
                    .Select(g => new GroupReport(g.Jid, g.Subject, g.ParticipantCount, g.AddressingMode))]),
                "dev-say" => new ControlResponse(true, Message: await dev.SayAsync(Required(request.From, "from"), Required(request.Text, "text"), cancellationToken)),
                "dev-group-say" => new ControlResponse(true, Message: await dev.GroupSayAsync(Required(request.Group, "group"),
                    Required(request.From, "from"), Required(request.Text, "text"), cancellationToken)),
                "dev-inbox" => new ControlResponse(true, Inbox: dev.Inbox(Required(request.From, "contact"))),
                "optouts" when optOuts is not null => new ControlResponse(true, OptOuts: [.. (await optOuts.GetAsync(cancellationToken))
                    .Select(o => new OptOutReport(o.Phone, o.Keyword, o.MessageId, o.At))]),
                "optouts-remove" when optOuts is not null => await RemoveOptOutAsync(optOuts, Required(request.To, "phone"), cancellationToken),
                _ => null,
            };
        }
        catch (ArgumentException ex)
        {
            return new ControlResponse(false, ex.Message.Split(" (Parameter", 2)[0], Code: "usage");
        }
        catch (NotLinkedException ex)
        {
            return new ControlResponse(false, ex.Message, Code: "not-linked");
        }
        catch (InvalidOperationException ex)
        {
            return new ControlResponse(false, ex.Message);
        }
    }

    private async Task<ControlResponse> SendAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        var job = await api.SendTextAsync(request.Id, Required(request.To, "to"), Required(request.Text, "text"), cancellationToken);
        if (job.Status == MessageStatus.Pending && Wait(request) is { } wait)
        {
            var pending = job;
            job = await WithinAsync(wait, ct => api.WaitWhilePendingAsync(pending.MessageId, ct), cancellationToken) ?? job;
            if (job.Status == MessageStatus.Pending)
            {
                return new ControlResponse(false, $"message {job.MessageId} was not sent within {wait.TotalSeconds:0.#} s; it stays queued and goes out when WhatsApp is reachable",
                    Code: "timeout", Send: Report(job));
            }
        }
        return job.Status == MessageStatus.Failed
            ? new ControlResponse(false, $"message {job.MessageId} failed: {job.FailureReason}", Send: Report(job))
            : new ControlResponse(true, Send: Report(job));
    }

    private static async Task<ControlResponse> RemoveOptOutAsync(Messaging.Pacing.OptOutList optOuts, string phone, CancellationToken cancellationToken)
    {
        await optOuts.RemoveAsync(phone, cancellationToken);
        return new ControlResponse(true, Message: $"{phone.Trim()} is off the opt-out list; sends to it go out again");
    }

    private async Task<ControlResponse> MessagesAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        var cursor = request.Cursor ?? 0;
        var events = await api.ReadEventsAsync(cursor, MaxEventsPerAnswer, cancellationToken);
        if (events.Count == 0 && Wait(request) is { } wait)
        {
            // Nothing new in time: an empty page, and the follower asks again.
            if (await WithinAsync(wait, async ct => { await api.WaitForEventsAsync(cursor, ct); return true; }, cancellationToken))
            {
                events = await api.ReadEventsAsync(cursor, MaxEventsPerAnswer, cancellationToken);
            }
        }
        return new ControlResponse(true, Events: [.. events.Select(ToReport)]);
    }

    /// <summary>What <c>messages</c> shows of <paramref name="e"/>.</summary>
    public static EventReport ToReport(MessageEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Message is { } m)
        {
            return new EventReport(e.Cursor, m.Id, "message", m.Chat, m.Sender, m.Timestamp, m.Type, m.Text,
                FromMe: m.FromMe, PushName: m.PushName, SenderAlt: m.SenderAlt, Reason: m.Error);
        }
        var s = e.Status!;
        return new EventReport(e.Cursor, s.MessageId, "status", s.Chat, s.Chat, s.At, "text", Status: Name(s.Status), Reason: s.Reason, CallerId: s.CallerId);
    }

    private static SendReport Report(OutboundMessage job) => new(job.MessageId, job.CallerId, job.To, Name(job.Status), job.FailureReason);

    private static string Name(MessageStatus status) => status.ToString().ToLowerInvariant();

    /// <summary><paramref name="work"/>'s result, or the default when <paramref name="limit"/> (on the gateway's clock) passed first.</summary>
    private async Task<T?> WithinAsync<T>(TimeSpan limit, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(limit, time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            return await work(deadline.Token);
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return default;
        }
    }

    private static TimeSpan? Wait(ControlRequest request) =>
        request.WaitSeconds is > 0 and var seconds ? TimeSpan.FromSeconds(Math.Min(seconds, MaxWait.TotalSeconds)) : null;

    private static string Required(string? value, string name) =>
        string.IsNullOrEmpty(value) ? throw new ArgumentException($"{name} is missing") : value;
}
