using System.Globalization;

namespace WaSms.Emulators.Platform.Protocol;

/// <summary>Times as docs/tunnel.md writes them: RFC 3339 UTC with milliseconds and a <c>Z</c>.</summary>
public static class PlatformTime
{
    /// <summary>Formats <paramref name="time"/> as <c>2026-12-02T10:15:03.120Z</c>.</summary>
    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
