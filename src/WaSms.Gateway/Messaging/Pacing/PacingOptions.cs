namespace WaSms.Gateway.Messaging.Pacing;

/// <summary>
/// The <c>Pacing</c> configuration section: the acceptable-use rules the gateway enforces on every send
/// (docs/acceptable-use.md). The platform's <c>pacing</c> settings replace the numbers when it sends them;
/// the keywords are the gateway's own.
/// </summary>
public sealed class PacingOptions
{
    /// <summary>docs/tunnel.md §6.1: English, German/Scandinavian, French, Spanish, Portuguese, Chinese, Arabic.</summary>
    public const string DefaultOptOutKeywords = "STOP, UNSUBSCRIBE, STOPP, ARRET, ARRÊT, ALTO, BAJA, PARAR, SAIR, CANCELAR, ABMELDEN, 取消, إلغاء";

    public const string DefaultOptInKeywords = "START";

    /// <summary>The shortest gap between two sends (a random gap in [MinGap, MaxGap] is drawn after each).</summary>
    public TimeSpan MinGap { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxGap { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Most sends in any 60 minutes; 0 = no cap. Jobs over it wait, never dropped.</summary>
    public int HourlyCap { get; set; }

    /// <summary>Most sends in any 24 hours; 0 = no cap.</summary>
    public int DailyCap { get; set; }

    /// <summary>The least time between two sends to the same chat; 00:00:00 = off.</summary>
    public TimeSpan Cooldown { get; set; } = TimeSpan.Zero;

    /// <summary>Comma-separated: a 1:1 text that is exactly one of these (case, spaces, punctuation around it ignored) opts its sender out.</summary>
    public string OptOutKeywords { get; set; } = DefaultOptOutKeywords;

    /// <summary>Comma-separated: a 1:1 text that is one of these takes its sender off the opt-out list.</summary>
    public string OptInKeywords { get; set; } = DefaultOptInKeywords;

    /// <summary>The numbers as the gate uses them.</summary>
    public PacingSettings ToSettings() => new(MinGap, MaxGap, HourlyCap, DailyCap, Cooldown);

    public IEnumerable<(string Key, string Problem)> Validate()
    {
        foreach (var problem in ToSettings().Problems(name => $"Pacing:{name}"))
        {
            yield return problem;
        }
        var optOut = Keywords.Parse(OptOutKeywords);
        var optIn = Keywords.Parse(OptInKeywords);
        if (optOut.Problem is { } outProblem)
        {
            yield return ("Pacing:OptOutKeywords", outProblem);
        }
        if (optIn.Problem is { } inProblem)
        {
            yield return ("Pacing:OptInKeywords", inProblem);
        }
        if (optOut.Words.Keys.FirstOrDefault(optIn.Words.ContainsKey) is { } both)
        {
            yield return ("Pacing:OptInKeywords", $"\"{optIn.Words[both]}\" is also an opt-out keyword (Pacing:OptOutKeywords)");
        }
    }
}
