using System.Diagnostics;

namespace WaSms.Testing;

/// <summary>
/// Waits, in real time, for a condition that a real process, socket or file makes true: the one
/// place the tests poll. Code that runs on a fake clock is driven by advancing that clock instead
/// (<paramref name="between"/> may do so while waiting for what the advance sets off).
/// </summary>
public static class Eventually
{
    /// <summary>Generous: the CI machine is slow and shared.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <inheritdoc cref="UntilAsync(Func{Task{bool}}, TimeSpan, string, Func{string}?, Action?)"/>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what, Func<string>? details = null, Action? between = null) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, what, details, between);

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds; after <paramref name="timeout"/> fails with
    /// <paramref name="what"/>, the time waited and <paramref name="details"/> (a log, say).
    /// </summary>
    /// <param name="between">Runs between two polls, e.g. moving a fake clock on.</param>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, Func<string>? details = null, Action? between = null)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            if (waited.Elapsed > timeout)
            {
                var more = details?.Invoke() is { Length: > 0 } text ? "\n" + text : "";
                throw new TimeoutException($"{what}: still not so after {waited.Elapsed.TotalSeconds:0.0} s (timeout {timeout.TotalSeconds:0} s){more}");
            }
            between?.Invoke();
            await Task.Delay(Interval);
        }
    }

    /// <summary>Polls <paramref name="probe"/> until it gives a value; returns it (fails as <see cref="UntilAsync(Func{bool}, TimeSpan, string, Func{string}?, Action?)"/>).</summary>
    public static async Task<T> ValueAsync<T>(Func<T?> probe, TimeSpan timeout, string what, Func<string>? details = null) where T : class
    {
        T? value = null;
        await UntilAsync(() => (value = probe()) is not null, timeout, what, details);
        return value!;
    }
}
