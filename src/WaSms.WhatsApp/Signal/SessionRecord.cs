using Google.Protobuf;
using WaSms.WhatsApp.Proto;

namespace WaSms.WhatsApp.Signal;

/// <summary>
/// Everything we keep about one remote device: several sessions named by their X3DH base key, most
/// recently used first, at most one open (docs/protocol/signal.md §4). Serialises to opaque bytes
/// for <c>ISignalStore</c>; the format is ours (Proto/SignalRecords.proto).
/// </summary>
public sealed class SessionRecord
{
    private SessionRecord(SessionRecordData data) => Data = data;

    /// <summary>An empty record: no sessions.</summary>
    public SessionRecord()
        : this(new SessionRecordData())
    {
    }

    /// <summary>True when a session is open, so <see cref="SessionCipher.Encrypt"/> can send.</summary>
    public bool HasOpenSession => OpenSession is not null;

    /// <summary>The open session's remote registration id, or null without one.</summary>
    public uint? RemoteRegistrationId => OpenSession?.RemoteRegistrationId;

    /// <summary>The remote identity key (32 bytes) of the open session, else of the most recent one, else empty.</summary>
    public ReadOnlyMemory<byte> RemoteIdentityKey =>
        (OpenSession ?? Data.Sessions.FirstOrDefault())?.RemoteIdentity.ToByteArray() ?? ReadOnlyMemory<byte>.Empty;

    internal SessionRecordData Data { get; }

    internal SessionData? OpenSession => Data.Sessions.FirstOrDefault(s => !s.Closed);

    /// <summary>Reads bytes written by <see cref="Serialize"/>.</summary>
    /// <exception cref="SignalException">The bytes are not a valid record (<see cref="SignalError.InvalidMessage"/>).</exception>
    public static SessionRecord Deserialize(ReadOnlySpan<byte> b)
    {
        var data = SignalWire.ParseRecord(SessionRecordData.Parser, b, "session record");
        SessionRecordCheck.Validate(data);
        return new SessionRecord(data);
    }

    /// <summary>The record as bytes for the store.</summary>
    public byte[] Serialize() => Data.ToByteArray();

    /// <summary>Index of the session named by <paramref name="baseKey"/>, or −1.</summary>
    internal int IndexOf(ReadOnlySpan<byte> baseKey)
    {
        for (int i = 0; i < Data.Sessions.Count; i++)
        {
            if (Data.Sessions[i].BaseKey.Span.SequenceEqual(baseKey))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Closes the open session and makes <paramref name="session"/> the open, most recent one.</summary>
    internal void AddOpenSession(SessionData session)
    {
        int existing = IndexOf(session.BaseKey.Span);
        if (existing >= 0)
        {
            Data.Sessions.RemoveAt(existing);
        }

        foreach (var other in Data.Sessions)
        {
            other.Closed = true;
        }

        session.Closed = false;
        Data.Sessions.Insert(0, session);
        // libsignal-node drops the oldest closed sessions beyond 40; ours are in use order.
        for (int i = Data.Sessions.Count - 1; Data.Sessions.Count > SignalLimits.MaxSessions && i > 0; i--)
        {
            Data.Sessions.RemoveAt(i);
        }
    }

    /// <summary>
    /// Replaces session <paramref name="index"/> by its updated copy (a decrypt's) and makes it the most
    /// recently used; then keeps the record within <see cref="SignalLimits.MaxSkippedKeysPerRecord"/>.
    /// </summary>
    internal void Replace(int index, SessionData updated)
    {
        Data.Sessions.RemoveAt(index);
        Data.Sessions.Insert(0, updated);
        TrimSkippedKeys();
    }

    /// <summary>
    /// Drops skipped message keys beyond <see cref="SignalLimits.MaxSkippedKeysPerRecord"/>, oldest first:
    /// the least recently used session's first, within a session the oldest chain's, within a chain the
    /// lowest counters. The per-chain bound alone allows 40 × 5 × 2,000 keys (about 15 MB) in one record.
    /// </summary>
    internal void TrimSkippedKeys()
    {
        var excess = Data.Sessions.Sum(s => s.Receiving.Sum(c => c.Skipped.Count)) - SignalLimits.MaxSkippedKeysPerRecord;
        for (int i = Data.Sessions.Count - 1; excess > 0 && i >= 0; i--)
        {
            foreach (var chain in Data.Sessions[i].Receiving)
            {
                var drop = Math.Min(excess, chain.Skipped.Count);
                if (drop > 0)
                {
                    var kept = chain.Skipped.Skip(drop).ToArray();
                    chain.Skipped.Clear();
                    chain.Skipped.Add(kept);
                    excess -= drop;
                }
            }
        }
    }

    /// <summary>Replaces session <paramref name="index"/> in place (encrypting does not change the use order).</summary>
    internal void ReplaceInPlace(int index, SessionData updated) => Data.Sessions[index] = updated;
}
