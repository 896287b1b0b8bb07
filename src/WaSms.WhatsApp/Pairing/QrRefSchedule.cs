namespace WaSms.WhatsApp.Pairing;

/// <summary>
/// How long each pair-device ref is shown: the first 60 s, every later one 20 s, as WhatsApp Web
/// does with the six refs the server sends (about 160 s in all). docs/whatsapp.md §4.3.
/// </summary>
public static class QrRefSchedule
{
    /// <summary>Lifetime of the first ref.</summary>
    public static readonly TimeSpan First = TimeSpan.FromSeconds(60);

    /// <summary>Lifetime of each later ref.</summary>
    public static readonly TimeSpan Later = TimeSpan.FromSeconds(20);

    /// <summary>How many refs WhatsApp's server sends in one pair-device.</summary>
    public const int ServerRefCount = 6;

    /// <summary>The lifetime of the ref at <paramref name="index"/> (0-based).</summary>
    public static TimeSpan ValidFor(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return index == 0 ? First : Later;
    }

    /// <summary>When the ref at <paramref name="index"/> stops being valid, counted from when the refs arrived.</summary>
    public static TimeSpan ExpiresAfter(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return First + (Later * index);
    }
}
