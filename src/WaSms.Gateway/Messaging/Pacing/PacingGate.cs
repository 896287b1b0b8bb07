using System.Globalization;
using Microsoft.Extensions.Logging;
using WaSms.Core.State;
using WaSms.Storage;
using WaSms.WhatsApp.Messaging.Send;
using WaSms.WhatsApp.Store;

namespace WaSms.Gateway.Messaging.Pacing;

/// <summary>Why sending is paused now, and until when (null: until the cause ends).</summary>
public sealed record PacingPause(string Reason, DateTimeOffset? Until);

/// <summary>
/// The gateway's acceptable-use rules, asked by the WhatsApp client's outbox before every send
/// (docs/acceptable-use.md): a job to an opted-out number fails <c>opted-out</c>; nothing is sent while
/// the gateway is temp-banned; the daily and hourly caps (sliding 24 h and 60 min windows, counted from
/// the stored send times so they hold across restarts) and a random gap after each send make every job
/// wait; the per-recipient cooldown makes that chat wait. Waiting jobs stay pending: nothing is dropped.
/// </summary>
public sealed class PacingGate(PacingOptions options, GatewayStore store, GatewayStateMachine machine, TimeProvider time, Random random, ILogger<PacingGate> log)
    : ISendGate
{
    /// <summary>The setting the tunnel stores the platform's <c>pacing</c> object under (docs/tunnel.md §6.1).</summary>
    public const string SettingKey = "pacing";

    public const string OptedOutReason = "opted-out";

    /// <summary>How often a temp-banned gateway looks again (the ban's end is the state machine's, not a time we know).</summary>
    public static readonly TimeSpan BanRecheck = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    private readonly PacingSettings _configured = options.ToSettings();
    private readonly Lock _gate = new();
    private InForce _current = new(null, options.ToSettings());
    private TimeSpan? _gap;
    private DateTimeOffset? _lastSent;

    /// <summary>The settings in force: the platform's when it sent valid ones, else the configured ones.</summary>
    public async Task<PacingSettings> GetSettingsAsync(CancellationToken cancellationToken)
    {
        var json = await store.GetSettingAsync(SettingKey, cancellationToken);
        var current = Volatile.Read(ref _current);
        if (json == current.Json)
        {
            return current.Settings;
        }
        var settings = _configured;
        if (json is not null)
        {
            settings = _configured.Apply(json, out var problem) ?? _configured;
            if (problem is not null)
            {
                log.LogWarning("The platform's pacing settings are refused ({Problem}); the configured ones stay: {Settings}", problem, _configured);
            }
            else
            {
                log.LogInformation("Pacing from the platform: {Settings}", settings);
            }
        }
        Volatile.Write(ref _current, new InForce(json, settings));
        return settings;
    }

    /// <summary>
    /// Why the platform's <paramref name="json"/> would be refused (one line), or null when it is valid: the
    /// tunnel answers a bad <c>pacing</c> command <c>bad-args</c> with it instead of storing it.
    /// </summary>
    public string? CheckPlatformSettings(string json)
    {
        _configured.Apply(json, out var problem);
        return problem;
    }

    public async ValueTask<SendDecision> CheckAsync(OutboundMessage job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.ExpiresAt is { } expiry && expiry <= time.GetUtcNow())
        {
            return SendDecision.Fail(GatewayStore.ExpiredReason); // JobExpiry fails it too; whichever comes first
        }
        if (OptOutRules.IsPerson(job.To) && await store.IsOptedOutAsync(OptOutRules.PhoneOf(job.To), cancellationToken))
        {
            return SendDecision.Fail(OptedOutReason);
        }
        var now = time.GetUtcNow();
        var settings = await GetSettingsAsync(cancellationToken);
        var history = await store.GetSendHistoryAsync(job.To, now - Hour, now - Day, cancellationToken);
        if (await PauseAsync(settings, history, now, cancellationToken) is { } pause)
        {
            return SendDecision.WaitAll(pause.Until ?? now + BanRecheck);
        }
        DateTimeOffset? last;
        lock (_gate)
        {
            last = Later(history.LastSent, _lastSent);
        }
        if (last is not null && last.Value + Gap(settings) is var gapEnd && gapEnd > now)
        {
            return SendDecision.WaitAll(gapEnd);
        }
        if (settings.Cooldown > TimeSpan.Zero && history.LastSentToChat + settings.Cooldown is { } cooled && cooled > now)
        {
            return SendDecision.WaitChat(cooled);
        }
        return SendDecision.Go;
    }

    public ValueTask OnSentAsync(OutboundMessage job, DateTimeOffset at, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            // Our own clock: the stored time is the server's, in whole seconds, which would shorten the gap.
            _lastSent = time.GetUtcNow();
            _gap = null; // a fresh random gap before the next send
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Why sending is paused now (a temporary ban, a cap reached), or null; for <c>status</c> and the tunnel's state.</summary>
    public async Task<PacingPause?> GetPauseAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var settings = await GetSettingsAsync(cancellationToken);
        var history = await store.GetSendHistoryAsync("", now - Hour, now - Day, cancellationToken);
        return await PauseAsync(settings, history, now, cancellationToken);
    }

    private async Task<PacingPause?> PauseAsync(PacingSettings settings, SendHistory history, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (machine.Current.State == GatewayState.TempBanned)
        {
            return new PacingPause("sending paused: temporary ban", null);
        }
        return await CapAsync("daily", settings.DailyCap, history.SinceDay, now - Day, Day, cancellationToken)
               ?? await CapAsync("hourly", settings.HourlyCap, history.SinceHour, now - Hour, Hour, cancellationToken);
    }

    /// <summary>
    /// With <paramref name="count"/> sends in the window at or over <paramref name="cap"/>, the next send may go
    /// once enough of them have left it: when the (count − cap + 1)-th oldest is <paramref name="window"/> old.
    /// </summary>
    private async Task<PacingPause?> CapAsync(string name, int cap, int count, DateTimeOffset windowStart, TimeSpan window, CancellationToken cancellationToken)
    {
        if (cap == 0 || count < cap)
        {
            return null;
        }
        var leaving = await store.GetSentAtAsync(windowStart, count - cap, cancellationToken);
        var until = (leaving ?? windowStart) + window;
        return new PacingPause(string.Create(CultureInfo.InvariantCulture, $"{name} cap reached, next send at {until:yyyy-MM-dd HH:mm:ss}Z"), until);
    }

    /// <summary>The gap before the next send: drawn once after each send, uniformly in [min, max].</summary>
    private TimeSpan Gap(PacingSettings settings)
    {
        lock (_gate)
        {
            _gap ??= settings.MinGap + (settings.MaxGap - settings.MinGap) * random.NextDouble();
            return _gap.Value < settings.MinGap ? settings.MinGap : _gap.Value > settings.MaxGap ? settings.MaxGap : _gap.Value;
        }
    }

    /// <summary>The settings in force and the stored platform JSON they came from (null: none stored).</summary>
    private sealed record InForce(string? Json, PacingSettings Settings);

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
