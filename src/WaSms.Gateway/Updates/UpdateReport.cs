namespace WaSms.Gateway.Updates;

/// <summary>
/// The last or current update as <c>status --json</c> shows it (<c>update</c>).
/// <paramref name="Phase"/>: <c>checking</c>, <c>installing</c>, <c>installed</c> (reboot to run it),
/// <c>refused</c> (the bundle did not pass the check; nothing was written) or <c>failed</c>.
/// </summary>
public sealed record UpdateReport(string Phase, string Bundle, string? Version, int? Percent, string? Step, string? Reason, DateTimeOffset Since);
