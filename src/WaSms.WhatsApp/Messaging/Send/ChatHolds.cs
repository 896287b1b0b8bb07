namespace WaSms.WhatsApp.Messaging.Send;

/// <summary>
/// Chats the outbox holds back after a failed attempt (a query the server refused, no server ack):
/// each hold lasts a full-jitter exponential backoff — uniform in [0, min(max, first × 2^(n−1))] for the
/// n-th hold in a row (AWS's "full jitter") — so a chat is tried again while connected, soon after a
/// hiccup and rarely when the failure persists, and many held chats do not retry in lockstep. A chat
/// whose job reached a final state is released and starts again at the first hold.
/// </summary>
internal sealed class ChatHolds(TimeProvider time, TimeSpan first, TimeSpan max, Func<double>? random = null)
{
    private readonly Dictionary<string, (int Holds, DateTimeOffset Until)> _held = new(StringComparer.Ordinal);
    private readonly Func<double> _random = random ?? Random.Shared.NextDouble;

    /// <summary>Holds <paramref name="chat"/> once more; returns how long.</summary>
    public TimeSpan Hold(string chat)
    {
        var holds = _held.TryGetValue(chat, out var held) ? held.Holds + 1 : 1;
        var ceiling = TimeSpan.FromTicks((long)Math.Min(max.Ticks, first.Ticks * Math.Pow(2, Math.Min(holds - 1, 30))));
        var delay = TimeSpan.FromTicks((long)(ceiling.Ticks * Math.Clamp(_random(), 0, 1)));
        _held[chat] = (holds, time.GetUtcNow() + delay);
        return delay;
    }

    /// <summary>True while <paramref name="chat"/>'s hold lasts (until its end, inclusive).</summary>
    public bool IsHeld(string chat) => _held.TryGetValue(chat, out var held) && held.Until >= time.GetUtcNow();

    /// <summary>How many holds in a row <paramref name="chat"/> has had (0 when released).</summary>
    public int HoldsOf(string chat) => _held.TryGetValue(chat, out var held) ? held.Holds : 0;

    /// <summary>A job of <paramref name="chat"/> reached a final state: the next hold starts at the first again.</summary>
    public void Release(string chat) => _held.Remove(chat);
}
