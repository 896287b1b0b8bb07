using Serilog.Events;

namespace WaSms.Gateway.Configuration;

/// <summary>The <c>Log</c> configuration section.</summary>
public sealed class LogOptions
{
    public LogEventLevel Level { get; set; } = LogEventLevel.Information;

    /// <summary>Optional rolling log file (one per day), besides the console/journal.</summary>
    public string File { get; set; } = "";

    public int RetainedFiles { get; set; } = 7;

    public IEnumerable<(string Key, string Problem)> Validate()
    {
        if (RetainedFiles is < 1 or > 365)
        {
            yield return ("Log:RetainedFiles", "must be between 1 and 365");
        }
    }
}
