using System.Reflection;

namespace WaSms.Gateway.Updates;

/// <summary>
/// The version this gateway runs as: the image's or bundle's version in <see cref="DefaultFile"/> on a card (what
/// <c>scripts/build-image</c> and <c>scripts/build-bundle</c> name their output by, and what an update offer and the
/// update report compare against), else the build's own version (a VPS, dev mode). Read once: a slot's file only
/// changes with the slot, which takes a reboot.
/// </summary>
public static class FirmwareVersion
{
    /// <summary>Written into the root filesystem by <c>scripts/build-image</c>; a bundle carries its own.</summary>
    public const string DefaultFile = "/usr/lib/wasms-update/version";

    private const int MaxLength = 64;

    /// <summary>The running version (see the class summary).</summary>
    public static string Current { get; } = Read(DefaultFile, BuildVersion(typeof(FirmwareVersion).Assembly));

    /// <summary>
    /// The first line of <paramref name="path"/> when it holds a version (letters, digits and <c>. + ~ -</c>, as
    /// build-bundle accepts, at most 64), otherwise <paramref name="fallback"/>.
    /// </summary>
    public static string Read(string path, string fallback)
    {
        string text;
        try
        {
            text = File.ReadLines(path).FirstOrDefault()?.Trim() ?? "";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return fallback;
        }
        return IsVersion(text) ? text : fallback;
    }

    /// <summary>True for a version as build-bundle accepts one: 1-64 letters, digits and <c>. + ~ -</c>.</summary>
    public static bool IsVersion(string text) =>
        text.Length is > 0 and <= MaxLength && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '+' or '~' or '-');

    /// <summary>The build's version without the commit that SourceLink appends (<c>0.1.0+d2d1d87…</c> → <c>0.1.0</c>).</summary>
    public static string BuildVersion(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (informational is { Length: > 0 })
        {
            var plus = informational.IndexOf('+', StringComparison.Ordinal);
            return plus > 0 ? informational[..plus] : informational;
        }
        return assembly.GetName().Version?.ToString(3) ?? "0.0.0";
    }
}
