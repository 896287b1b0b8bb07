using System.Diagnostics;

namespace WaSms.Gateway.Tests.Simulator;

/// <summary>zbarimg (Debian's zbar-tools) reading a QR from a PNG.</summary>
internal static class Zbar
{
    /// <returns>The QR text, or null when there is no file or no readable QR in it.</returns>
    public static string? Read(string png)
    {
        if (!File.Exists(png))
        {
            return null;
        }
        var psi = new ProcessStartInfo("zbarimg", ["-q", "--raw", png]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        var text = process.StandardOutput.ReadToEnd().TrimEnd('\n');
        process.WaitForExit();
        return process.ExitCode == 0 && text.Length > 0 ? text : null;
    }
}
