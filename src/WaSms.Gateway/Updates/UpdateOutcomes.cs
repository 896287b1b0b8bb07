using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using WaSms.Core.State;
using WaSms.Storage;

namespace WaSms.Gateway.Updates;

/// <summary>
/// How the last update ended, worked out once at start-up (docs/updates.md §6, "Reporting the outcome"): the installer
/// records <see cref="InstalledSetting"/> before it reboots into the new slot; the boot script writes a line to
/// <c>Updates:FailureFile</c> when the trial of the new slot failed and the board went back. After the reboot, that
/// line means it was rolled back (with its reason); otherwise running the recorded version (<see cref="FirmwareVersion"/>)
/// means it worked, and anything else that it was rolled back. Either way every observer gets an
/// <see cref="UpdateOutcome"/>; a rollback is kept in the store (<see cref="RolledBackSetting"/>) until the next update
/// that works or <see cref="DismissAsync"/>.
/// </summary>
public static partial class UpdateOutcomes
{
    /// <summary><c>{"version":"1.6.0","at":"2026-12-02T12:00:00+00:00"}</c>: written by the installer right before the reboot.</summary>
    public const string InstalledSetting = "update.installed";

    /// <summary>The rollback being shown, as JSON, until an update works or an operator dismisses it.</summary>
    public const string RolledBackSetting = "update.rolled-back";

    /// <summary>The failure line already reported, so the same line (the boot script writes it at every boot) is not reported twice.</summary>
    public const string FailureSeenSetting = "update.failure-seen";

    private const int MaxFailureBytes = 4096;

    /// <summary>The kernel's id of this boot (a new one at every boot), or null where there is none.</summary>
    public const string BootIdFile = "/proc/sys/kernel/random/boot_id";

    /// <summary>
    /// For the installer: records <paramref name="version"/> as installed, right before rebooting into it, with this boot's
    /// id: a board without a real-time clock (the Pi) starts the new slot with that slot's saved time, often older than
    /// the record, so the boot id, not the clock, tells whether the reboot happened.
    /// </summary>
    public static Task RecordInstalledAsync(GatewayStore store, string version, DateTimeOffset at, CancellationToken cancellationToken, string? bootId = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(version);
        return store.SetSettingAsync(InstalledSetting, JsonSerializer.Serialize(new InstalledRecord(version, at, bootId), OutcomeJson.Default.InstalledRecord),
            cancellationToken);
    }

    /// <summary>This boot's id (<see cref="BootIdFile"/>), or null when it cannot be read.</summary>
    public static string? CurrentBootId()
    {
        try
        {
            var id = File.ReadAllText(BootIdFile).Trim();
            return id.Length > 0 ? id : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reports the last update's outcome at start-up and posts it; returns it, or null when there is nothing to report.
    /// </summary>
    /// <param name="runningVersion">The version now running.</param>
    /// <param name="failureFile">Where the boot script writes the failure line (<c>Updates:FailureFile</c>).</param>
    /// <param name="bootedAt">When this boot began: without boot ids, an installed record younger than it waits for its reboot.</param>
    /// <param name="bootId">This boot's id: a record made in another boot was followed by the reboot (see <see cref="RecordInstalledAsync"/>).</param>
    public static async Task<UpdateOutcome?> RestoreAsync(GatewayStore store, GatewayStateMachine machine, string runningVersion, string failureFile,
        DateTimeOffset bootedAt, DateTimeOffset now, ILogger log, CancellationToken cancellationToken, string? bootId = null)
    {
        var failure = ReadFailureLine(failureFile, log);
        var seen = await store.GetSettingAsync(FailureSeenSetting, cancellationToken);
        var fresh = failure is not null && failure != seen;
        var installed = Parse(await store.GetSettingAsync(InstalledSetting, cancellationToken), OutcomeJson.Default.InstalledRecord);

        UpdateOutcome? outcome = null;
        // A record made in another boot (its boot id; without ids, a record older than this boot) proves the reboot into
        // it happened. The boot script's failure line
        // decides first: a new trial cleared the old line (rauc-boot set-primary), so a line now is this trial's, even
        // when the running version has the installed one's name (the same bundle installed again from the other slot).
        var rebooted = installed is { Version.Length: > 0 }
            && (installed.BootId is { Length: > 0 } recordedIn && bootId is not null ? recordedIn != bootId : installed.At < bootedAt);
        if (rebooted && failure is not null)
        {
            outcome = await RecordRollbackAsync(store, new UpdateOutcome(installed!.Version, true, failure, now), log, cancellationToken);
            await store.DeleteSettingAsync(InstalledSetting, cancellationToken);
        }
        else if (rebooted && string.Equals(installed!.Version, runningVersion, StringComparison.OrdinalIgnoreCase))
        {
            outcome = new UpdateOutcome(installed.Version, false, null, installed.At);
            log.LogInformation("Update {Version} installed on {At:u} is running", installed.Version, installed.At);
            await store.DeleteSettingAsync(RolledBackSetting, cancellationToken);
            await store.DeleteSettingAsync(InstalledSetting, cancellationToken);
        }
        else if (rebooted)
        {
            outcome = await RecordRollbackAsync(store, new UpdateOutcome(installed!.Version, true,
                $"the new version did not start; the gateway went back to {runningVersion}", now), log, cancellationToken);
            await store.DeleteSettingAsync(InstalledSetting, cancellationToken);
        }
        else if (installed is null && fresh)
        {
            // A rollback the gateway has no record of (e.g. installed with rauc by hand): reported without a version.
            outcome = await RecordRollbackAsync(store, new UpdateOutcome(null, true, failure, now), log, cancellationToken);
        }
        if (failure is not null && failure != seen)
        {
            await store.SetSettingAsync(FailureSeenSetting, failure, cancellationToken);
        }

        outcome ??= Parse(await store.GetSettingAsync(RolledBackSetting, cancellationToken), OutcomeJson.Default.RolledBackRecord) is { } kept
            ? new UpdateOutcome(kept.Version, true, ScreenSafe(kept.Reason ?? "") is { Length: > 0 } r ? r : "no reason recorded", kept.At)
            : null;
        if (outcome is not null)
        {
            machine.Post(outcome);
        }
        return outcome;
    }

    /// <summary>The version of the rollback being shown (kept until an update works or it is dismissed), or null.</summary>
    public static async Task<string?> RolledBackVersionAsync(GatewayStore store, CancellationToken cancellationToken) =>
        Parse(await store.GetSettingAsync(RolledBackSetting, cancellationToken), OutcomeJson.Default.RolledBackRecord)?.Version;

    /// <summary>For <c>update-dismiss</c>: forgets the rollback being shown; false when none was.</summary>
    public static async Task<bool> DismissAsync(GatewayStore store, GatewayStateMachine machine, CancellationToken cancellationToken)
    {
        var stored = await store.DeleteSettingAsync(RolledBackSetting, cancellationToken);
        var shown = machine.Current.Notices?.OfType<UpdateOutcome>().Any(o => o.RolledBack) == true && machine.Withdraw<UpdateOutcome>();
        return stored || shown;
    }

    /// <summary>
    /// The boot script's failure line, made safe for a screen and a log line: the first line of at most 4 KB, control and
    /// format characters replaced, runs of spaces collapsed, cut to <see cref="UpdateOutcome.MaxReasonLength"/>.
    /// Null when there is no such file or it holds nothing printable.
    /// </summary>
    public static string? ReadFailureLine(string path, ILogger log)
    {
        byte[] bytes;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            bytes = new byte[MaxFailureBytes];
            bytes = bytes[..file.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false)];
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            log.LogWarning("Cannot read the update failure file {Path}: {Reason}", path, ex.Message);
            return null;
        }
        var text = Encoding.UTF8.GetString(bytes);
        var end = text.IndexOfAny(['\n', '\r']);
        var safe = ScreenSafe(end >= 0 ? text[..end] : text);
        return safe.Length > 0 ? safe : null;
    }

    /// <summary>Printable, one line, at most <see cref="UpdateOutcome.MaxReasonLength"/> characters (the last one "…" when cut).</summary>
    public static string ScreenSafe(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(Math.Min(text.Length, UpdateOutcome.MaxReasonLength + 1));
        foreach (var c in text)
        {
            var printable = !char.IsControl(c) && !char.IsSurrogate(c) && char.GetUnicodeCategory(c) is not
                (System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.OtherNotAssigned
                or System.Globalization.UnicodeCategory.PrivateUse or System.Globalization.UnicodeCategory.LineSeparator
                or System.Globalization.UnicodeCategory.ParagraphSeparator) && c != '\uFFFD';
            var ch = printable && !char.IsWhiteSpace(c) ? c : ' ';
            if (ch == ' ' && (builder.Length == 0 || builder[^1] == ' '))
            {
                continue;
            }
            builder.Append(ch);
            if (builder.Length > UpdateOutcome.MaxReasonLength)
            {
                break;
            }
        }
        var safe = builder.ToString().TrimEnd();
        return safe.Length > UpdateOutcome.MaxReasonLength ? safe[..(UpdateOutcome.MaxReasonLength - 1)].TrimEnd() + "\u2026" : safe;
    }

    private static async Task<UpdateOutcome> RecordRollbackAsync(GatewayStore store, UpdateOutcome outcome, ILogger log, CancellationToken cancellationToken)
    {
        log.LogWarning("{Outcome}", outcome.Describe());
        await store.SetSettingAsync(RolledBackSetting,
            JsonSerializer.Serialize(new RolledBackRecord(outcome.Version, outcome.Reason, outcome.At), OutcomeJson.Default.RolledBackRecord), cancellationToken);
        return outcome;
    }

    private static T? Parse<T>(string? json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        if (json is null)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize(json, type);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal sealed record InstalledRecord(string Version, DateTimeOffset At, string? BootId = null);

    internal sealed record RolledBackRecord(string? Version, string? Reason, DateTimeOffset At);

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonSerializable(typeof(InstalledRecord))]
    [JsonSerializable(typeof(RolledBackRecord))]
    internal sealed partial class OutcomeJson : JsonSerializerContext;
}
