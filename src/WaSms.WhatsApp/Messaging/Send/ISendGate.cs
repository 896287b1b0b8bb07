using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Messaging.Send;

/// <summary>
/// What the outbox asks before each send attempt of a job, and tells after each job that reached
/// <c>sent</c>: the owner's acceptable-use rules (the gateway paces, caps and honours opt-outs; docs/acceptable-use.md).
/// The default, <see cref="AlwaysSend"/>, lets every job go at once.
/// </summary>
public interface ISendGate
{
    /// <summary>
    /// Whether <paramref name="job"/> may be sent now (called before each attempt, so it may be asked again after a wait).
    /// A gate that throws holds the job's chat until the next connection, like a failed query.
    /// </summary>
    ValueTask<SendDecision> CheckAsync(OutboundMessage job, CancellationToken cancellationToken);

    /// <summary><paramref name="job"/> reached <c>sent</c> at <paramref name="at"/> (its status is already stored). Must not throw.</summary>
    ValueTask OnSentAsync(OutboundMessage job, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>What a <see cref="ISendGate"/> decided for one job.</summary>
public enum SendVerdict
{
    /// <summary>Send it now.</summary>
    Go = 0,

    /// <summary>Not before <see cref="SendDecision.Until"/>; only this chat waits (the job stays pending, per-chat order kept).</summary>
    WaitChat = 1,

    /// <summary>Not before <see cref="SendDecision.Until"/>, and no other job either (a gap, a cap, a ban).</summary>
    WaitAll = 2,

    /// <summary>Never: the job ends failed with <see cref="SendDecision.Reason"/>.</summary>
    Fail = 3,
}

/// <param name="Until">For the waits: when to ask again (the outbox also looks again when woken).</param>
/// <param name="Reason">For <see cref="SendVerdict.Fail"/>: the job's failure reason (e.g. <c>opted-out</c>).</param>
public readonly record struct SendDecision(SendVerdict Verdict, DateTimeOffset Until = default, string? Reason = null)
{
    public static SendDecision Go => default;

    public static SendDecision WaitChat(DateTimeOffset until) => new(SendVerdict.WaitChat, until);

    public static SendDecision WaitAll(DateTimeOffset until) => new(SendVerdict.WaitAll, until);

    public static SendDecision Fail(string reason) => new(SendVerdict.Fail, Reason: reason);
}

/// <summary>The gate of a client without rules: every job goes at once.</summary>
public sealed class AlwaysSend : ISendGate
{
    public ValueTask<SendDecision> CheckAsync(OutboundMessage job, CancellationToken cancellationToken) => ValueTask.FromResult(SendDecision.Go);

    public ValueTask OnSentAsync(OutboundMessage job, DateTimeOffset at, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
