using System.Globalization;

namespace WaSms.Health.Mqtt;

/// <summary>
/// The Raspberry Pi firmware's throttling bit field (<c>vcgencmd get_throttled</c>): bit 0 under-voltage,
/// 1 ARM frequency capped, 2 throttled, 3 soft temperature limit; bits 16-19 the same "since boot".
/// Source: docs/mqtt.md "Sources" (raspberrypi.com documentation, get_throttled).
/// </summary>
public readonly record struct ThrottleFlags(uint Raw)
{
    public bool UnderVoltageNow => (Raw & 0x1) != 0;

    public bool FrequencyCappedNow => (Raw & 0x2) != 0;

    public bool ThrottledNow => (Raw & 0x4) != 0;

    public bool SoftTemperatureLimitNow => (Raw & 0x8) != 0;

    public bool UnderVoltageSinceBoot => (Raw & 0x1_0000) != 0;

    public bool FrequencyCappedSinceBoot => (Raw & 0x2_0000) != 0;

    public bool ThrottledSinceBoot => (Raw & 0x4_0000) != 0;

    public bool SoftTemperatureLimitSinceBoot => (Raw & 0x8_0000) != 0;

    public string Hex => "0x" + Raw.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>Parses <c>throttled=0x50005</c> (vcgencmd), <c>0x50005</c> or the sysfs form <c>50005</c> (hex).</summary>
    public static bool TryParse(string? text, out ThrottleFlags flags)
    {
        flags = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var value = text.Trim();
        var equals = value.IndexOf('=', StringComparison.Ordinal);
        if (equals >= 0)
        {
            value = value[(equals + 1)..].Trim();
        }
        if (value.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            value = value[2..];
        }
        if (!uint.TryParse(value, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var raw))
        {
            return false;
        }
        flags = new ThrottleFlags(raw);
        return true;
    }
}
