using WaSms.WhatsApp.Signal;

namespace WaSms.WhatsApp.Store;

/// <summary>
/// The Signal state one step changed (a decrypt, an encrypt, a session set-up), applied in one
/// transaction by <see cref="ISignalStore.CommitAsync"/> or together with a message by
/// <see cref="IMessageStore"/>. Later entries for the same key replace earlier ones.
/// </summary>
public sealed class SignalChanges
{
    /// <summary>Session records to save; a null value deletes the address's record.</summary>
    public Dictionary<SignalAddress, byte[]?> Sessions { get; } = [];

    /// <summary>Remote identity keys (32 bytes) to save.</summary>
    public Dictionary<SignalAddress, byte[]> Identities { get; } = [];

    /// <summary>Sender-key records to save, by (group JID, sender address).</summary>
    public Dictionary<(string Group, SignalAddress Sender), byte[]> SenderKeys { get; } = [];

    /// <summary>One-time prekeys a new session used up: deleted in the same transaction.</summary>
    public HashSet<uint> UsedPreKeys { get; } = [];

    /// <summary>LID user → phone-number user pairs learned from stanzas, usync or group metadata.</summary>
    public Dictionary<string, string> LidMappings { get; } = [];

    /// <summary>True when nothing changed.</summary>
    public bool IsEmpty =>
        Sessions.Count == 0 && Identities.Count == 0 && SenderKeys.Count == 0 && UsedPreKeys.Count == 0 && LidMappings.Count == 0;

    /// <summary>Copies <paramref name="other"/>'s entries over this one's.</summary>
    public void Add(SignalChanges other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var (k, v) in other.Sessions) Sessions[k] = v;
        foreach (var (k, v) in other.Identities) Identities[k] = v;
        foreach (var (k, v) in other.SenderKeys) SenderKeys[k] = v;
        UsedPreKeys.UnionWith(other.UsedPreKeys);
        foreach (var (k, v) in other.LidMappings) LidMappings[k] = v;
    }
}
