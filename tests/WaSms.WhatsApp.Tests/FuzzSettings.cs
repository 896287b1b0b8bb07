using System.Globalization;

namespace WaSms.WhatsApp.Tests;

/// <summary>
/// The fuzz tests' seed and size: fixed in CI; <c>scripts/fuzz-whatsapp</c> sets
/// <c>WASMS_FUZZ_SEED</c> (added to each test's own seed) and <c>WASMS_FUZZ_SCALE</c> (cases ×N).
/// </summary>
internal static class FuzzSettings
{
    public static int Seed(int fixedSeed) =>
        int.TryParse(Environment.GetEnvironmentVariable("WASMS_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var extra)
            ? unchecked(fixedSeed + extra)
            : fixedSeed;

    public static int Cases(int ciCases) =>
        int.TryParse(Environment.GetEnvironmentVariable("WASMS_FUZZ_SCALE"), NumberStyles.None, CultureInfo.InvariantCulture, out var scale) && scale > 1
            ? checked(ciCases * scale)
            : ciCases;
}
