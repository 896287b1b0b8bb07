using System.Globalization;
using System.Text.Json;

namespace WaSms.Gateway.Messaging.Pacing;

/// <summary>
/// The numbers of the acceptable-use rules in force: from <c>Pacing:*</c>, or the platform's <c>pacing</c>
/// object (docs/tunnel.md §6.1) stored under the setting <see cref="PacingGate.SettingKey"/>.
/// </summary>
/// <param name="HourlyCap">Sends in any 60 minutes; 0 = no cap.</param>
/// <param name="DailyCap">Sends in any 24 hours; 0 = no cap.</param>
/// <param name="Cooldown">Between two sends to one chat; zero = off.</param>
public sealed record PacingSettings(TimeSpan MinGap, TimeSpan MaxGap, int HourlyCap, int DailyCap, TimeSpan Cooldown)
{
    /// <summary>The longest gap or cooldown accepted: longer is a typo (minutes for seconds), not a policy.</summary>
    public static readonly TimeSpan MaxGapLimit = TimeSpan.FromHours(1);

    public static readonly TimeSpan MaxCooldown = TimeSpan.FromDays(7);

    /// <summary>What is out of range, each with the name <paramref name="name"/> gives the field (<c>MinGap</c> …).</summary>
    public IEnumerable<(string Key, string Problem)> Problems(Func<string, string> name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (MinGap < TimeSpan.Zero)
        {
            yield return (name(nameof(MinGap)), "must not be negative");
        }
        if (MaxGap > MaxGapLimit)
        {
            yield return (name(nameof(MaxGap)), $"must be at most {MaxGapLimit.TotalSeconds:0} seconds");
        }
        else if (MinGap > MaxGap)
        {
            yield return (name(nameof(MinGap)), $"must not be above {name(nameof(MaxGap))}");
        }
        if (HourlyCap < 0)
        {
            yield return (name(nameof(HourlyCap)), "must be 0 (no cap) or more");
        }
        if (DailyCap < 0)
        {
            yield return (name(nameof(DailyCap)), "must be 0 (no cap) or more");
        }
        if (Cooldown < TimeSpan.Zero || Cooldown > MaxCooldown)
        {
            yield return (name(nameof(Cooldown)), $"must be between 0 (off) and {MaxCooldown.TotalDays:0} days");
        }
    }

    /// <summary>
    /// <paramref name="json"/> (the platform's object: seconds and counts, camelCase; a field left out keeps
    /// this one's value; unknown fields ignored) applied over these settings.
    /// </summary>
    /// <param name="problem">Why <paramref name="json"/> was refused (one line), else null.</param>
    /// <returns>The merged settings, or null when refused.</returns>
    public PacingSettings? Apply(string json, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                problem = "not a JSON object";
                return null;
            }
            var merged = this;
            foreach (var field in document.RootElement.EnumerateObject())
            {
                merged = field.Name switch
                {
                    "minGap" => merged with { MinGap = Seconds(field) },
                    "maxGap" => merged with { MaxGap = Seconds(field) },
                    "hourlyCap" => merged with { HourlyCap = Count(field) },
                    "dailyCap" => merged with { DailyCap = Count(field) },
                    "cooldown" => merged with { Cooldown = Seconds(field) },
                    _ => merged,
                };
            }
            problem = merged.Problems(n => char.ToLowerInvariant(n[0]) + n[1..]).Select(p => $"{p.Key} {p.Problem}").FirstOrDefault();
            return problem is null ? merged : null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            problem = ex is JsonException ? "not valid JSON" : ex.Message;
            return null;
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"gap {MinGap.TotalSeconds:0.###}-{MaxGap.TotalSeconds:0.###} s, hourly cap {Cap(HourlyCap)}, daily cap {Cap(DailyCap)}, cooldown {(Cooldown == TimeSpan.Zero ? "off" : $"{Cooldown.TotalSeconds:0.###} s")}");

    private static string Cap(int cap) => cap == 0 ? "none" : cap.ToString(CultureInfo.InvariantCulture);

    private static TimeSpan Seconds(JsonProperty field) =>
        field.Value.ValueKind == JsonValueKind.Number && field.Value.TryGetDouble(out var seconds) && seconds is >= -1e6 and <= 1e9
            ? TimeSpan.FromSeconds(seconds)
            : throw new FormatException($"{field.Name} must be a number of seconds");

    private static int Count(JsonProperty field) =>
        field.Value.ValueKind == JsonValueKind.Number && field.Value.TryGetInt32(out var count)
            ? count
            : throw new FormatException($"{field.Name} must be a whole number");
}
