using Google.Protobuf;
using WaSms.WhatsApp.Proto;

namespace WaSms.WhatsApp.Signal;

/// <summary>
/// The sender keys of one (group, sender): up to 5 states, oldest first, each a key id, a chain, the
/// sender's signing key (with the private half only in our own record) and up to 2,000 skipped
/// message keys (docs/protocol/signal.md §7). Serialises to opaque bytes (Proto/SignalRecords.proto).
/// </summary>
public sealed class SenderKeyRecord
{
    private SenderKeyRecord(SenderKeyRecordData data) => Data = data;

    /// <summary>An empty record: no sender key yet.</summary>
    public SenderKeyRecord()
        : this(new SenderKeyRecordData())
    {
    }

    /// <summary>True when the record holds no state.</summary>
    public bool IsEmpty => Data.States.Count == 0;

    internal SenderKeyRecordData Data { get; }

    /// <summary>The newest state: the one we encrypt with in our own record.</summary>
    internal SenderKeyStateData? Latest => Data.States.Count == 0 ? null : Data.States[^1];

    /// <summary>Reads bytes written by <see cref="Serialize"/>.</summary>
    /// <exception cref="SignalException">The bytes are not a valid record (<see cref="SignalError.InvalidMessage"/>).</exception>
    public static SenderKeyRecord Deserialize(ReadOnlySpan<byte> b)
    {
        var data = SignalWire.ParseRecord(SenderKeyRecordData.Parser, b, "sender key record");
        SessionRecordCheck.Check(data.States.Count <= SignalLimits.MaxSenderKeyStates, "too many sender key states");
        foreach (var state in data.States)
        {
            SessionRecordCheck.Check(state.Chain is not null, "a sender key state without chain");
            SessionRecordCheck.Key(state.Chain!.Key, "sender chain key");
            SessionRecordCheck.Key(state.SigningPublic, "signing key");
            SessionRecordCheck.OptionalKey(state.SigningPrivate, "signing private key");
            SessionRecordCheck.Skipped(state.Skipped);
        }

        return new SenderKeyRecord(data);
    }

    /// <summary>The record as bytes for the store.</summary>
    public byte[] Serialize() => Data.ToByteArray();

    /// <summary>Index of the state with <paramref name="keyId"/>, or −1.</summary>
    internal int IndexOf(uint keyId)
    {
        for (int i = 0; i < Data.States.Count; i++)
        {
            if (Data.States[i].KeyId == keyId)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Adds a state as the newest, dropping an older one with the same id and the oldest beyond 5.</summary>
    internal void Add(SenderKeyStateData state)
    {
        int existing = IndexOf(state.KeyId);
        if (existing >= 0)
        {
            Data.States.RemoveAt(existing);
        }

        Data.States.Add(state);
        if (Data.States.Count > SignalLimits.MaxSenderKeyStates)
        {
            Data.States.RemoveAt(0);
        }
    }
}
