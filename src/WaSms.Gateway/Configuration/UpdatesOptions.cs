using System.Globalization;

namespace WaSms.Gateway.Configuration;

/// <summary>The <c>Updates</c> configuration section: where bundles are downloaded and how, and the boot script's failure line (docs/updates.md).</summary>
public sealed class UpdatesOptions
{
    public const string DefaultFailureFile = "/run/wasms-update/last-failure";

    /// <summary>
    /// Where the boot script writes one line when the last update's trial boot failed and the board went back to the old
    /// slot (<c>B: not marked good within its boot attempts</c>); read once at start-up.
    /// </summary>
    public string FailureFile { get; set; } = DefaultFailureFile;

    /// <summary>Downloads land here (0700); empty: <c>&lt;StateDirectory&gt;/updates</c>.</summary>
    public string Directory { get; set; } = "";

    /// <summary>Allow <c>http://</c> bundle URLs (tests and dev only): a bundle is signed, but https keeps its URL and size private.</summary>
    public bool AllowHttp { get; set; }

    /// <summary>The largest bundle accepted: a larger Content-Length is refused, a body that grows past it is stopped.</summary>
    public long MaxBundleBytes { get; set; } = 1L << 30;

    /// <summary>
    /// Created after an installation that asked for a reboot; a root systemd path unit reboots the board when it appears
    /// (the service itself may not reboot). Empty: <c>&lt;Directory&gt;/reboot-requested</c>.
    /// </summary>
    public string RebootRequestFile { get; set; } = "";

    /// <summary>Download attempts before a download fails (a broken connection resumes where it stopped).</summary>
    public int DownloadAttempts { get; set; } = 6;

    /// <summary>The wait after the first failed attempt; it doubles for each further one (at most 10 minutes).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The platform's offer installs once no message is queued and none was received or sent for this long.</summary>
    public TimeSpan QuietFor { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The directory with its default applied for <paramref name="stateDirectory"/>.</summary>
    public string DirectoryFor(string stateDirectory) =>
        Directory.Length > 0 ? Path.GetFullPath(Directory) : Path.Combine(stateDirectory, "updates");

    /// <summary>The reboot request file with its default applied for <paramref name="stateDirectory"/>.</summary>
    public string RebootRequestFileFor(string stateDirectory) =>
        RebootRequestFile.Length > 0 ? Path.GetFullPath(RebootRequestFile) : Path.Combine(DirectoryFor(stateDirectory), "reboot-requested");

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
        if (Directory.Length > 0 && !Path.IsPathFullyQualified(Directory))
        {
            yield return ("Updates:Directory", "must be an absolute path");
        }
        if (RebootRequestFile.Length > 0 && !Path.IsPathFullyQualified(RebootRequestFile))
        {
            yield return ("Updates:RebootRequestFile", "must be an absolute path");
        }
        if (MaxBundleBytes is < 1024 * 1024 or > 16L << 30)
        {
            yield return ("Updates:MaxBundleBytes", "must be between 1048576 (1 MiB) and 17179869184 (16 GiB)");
        }
        if (DownloadAttempts is < 1 or > 100)
        {
            yield return ("Updates:DownloadAttempts", "must be between 1 and 100");
        }
        if (RetryDelay > TimeSpan.FromHours(1))
        {
            yield return ("Updates:RetryDelay", $"must be at most 01:00:00 (is {RetryDelay.ToString("c", CultureInfo.InvariantCulture)})");
        }
        if (QuietFor > TimeSpan.FromDays(1))
        {
            yield return ("Updates:QuietFor", $"must be at most 1.00:00:00 (is {QuietFor.ToString("c", CultureInfo.InvariantCulture)})");
        }
    }
}
