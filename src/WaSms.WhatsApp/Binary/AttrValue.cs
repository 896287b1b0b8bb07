namespace WaSms.WhatsApp.Binary;

/// <summary>
/// An attribute value: a string or a <see cref="Binary.Jid"/>. The encoder writes strings with the
/// string rules (token, packed, raw) and JIDs with the JID tags; it never guesses a JID from a string.
/// <c>default</c> is the empty string.
/// </summary>
public readonly struct AttrValue : IEquatable<AttrValue>
{
    private readonly object? _value;

    /// <summary>A string value.</summary>
    public AttrValue(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _value = text;
    }

    /// <summary>A JID value.</summary>
    public AttrValue(Jid jid)
    {
        ArgumentNullException.ThrowIfNull(jid);
        _value = jid;
    }

    /// <summary>True when the value is a JID.</summary>
    public bool IsJid => _value is Binary.Jid;

    /// <summary>The JID, or null for a string value.</summary>
    public Jid? Jid => _value as Binary.Jid;

    /// <summary>The string, or null for a JID value.</summary>
    public string? Text => _value is Binary.Jid ? null : (_value as string ?? string.Empty);

    /// <summary>Converts a string.</summary>
    public static implicit operator AttrValue(string text) => new(text);

    /// <summary>Converts a JID.</summary>
    public static implicit operator AttrValue(Jid jid) => new(jid);

    /// <summary>Value equality; a JID never equals a string.</summary>
    public static bool operator ==(AttrValue left, AttrValue right) => left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(AttrValue left, AttrValue right) => !left.Equals(right);

    /// <summary>Creates a string value (the named form of the implicit conversion).</summary>
    public static AttrValue FromString(string text) => new(text);

    /// <summary>Creates a JID value (the named form of the implicit conversion).</summary>
    public static AttrValue FromJid(Jid jid) => new(jid);

    /// <summary>The string, or the JID's text form (<see cref="Binary.Jid.ToString"/>).</summary>
    public override string ToString() => _value?.ToString() ?? string.Empty;

    /// <inheritdoc />
    public bool Equals(AttrValue other)
    {
        if (IsJid || other.IsJid)
        {
            return Jid is { } jid && jid.Equals(other.Jid);
        }

        return string.Equals(Text, other.Text, StringComparison.Ordinal);
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is AttrValue other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Jid is { } jid ? jid.GetHashCode() : StringComparer.Ordinal.GetHashCode(Text!);
}
