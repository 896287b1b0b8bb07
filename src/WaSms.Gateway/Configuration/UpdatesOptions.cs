namespace WaSms.Gateway.Configuration;

/// <summary>The <c>Updates</c> configuration section (docs/updates.md).</summary>
public sealed class UpdatesOptions
{
    public const string DefaultFailureFile = "/run/wasms-update/last-failure";

    /// <summary>
    /// Where the boot script writes one line when the last update's trial boot failed and the board went back to the old
    /// slot (<c>B: not marked good within its boot attempts</c>); read once at start-up.
    /// </summary>
    public string FailureFile { get; set; } = DefaultFailureFile;

    public IEnumerable<(string Key, string Problem)> Validate()
    {
        if (string.IsNullOrWhiteSpace(FailureFile) || !Path.IsPathFullyQualified(FailureFile))
        {
            yield return ("Updates:FailureFile", "must be an absolute path");
        }
        else if (FailureFile.IndexOfAny(['\0', '\n', '\r']) >= 0)
        {
            yield return ("Updates:FailureFile", "contains control characters");
        }
    }
}
