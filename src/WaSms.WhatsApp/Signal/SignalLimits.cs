namespace WaSms.WhatsApp.Signal;

/// <summary>The bounds libsignal-node and libsignal-protocol-go keep (docs/protocol/signal.md §4, §7).</summary>
internal static class SignalLimits
{
    /// <summary>Largest jump ahead within one chain, pairwise and sender keys.</summary>
    public const int MaxFutureMessages = 2000;

    /// <summary>FillTo distance for pairwise chains: libsignal-node rejects counter − lastMade &gt; 2000.</summary>
    public const uint PairwiseMaxDistance = MaxFutureMessages - 1;

    /// <summary>FillTo distance for sender keys: Baileys rejects iteration − chainIteration &gt; 2000.</summary>
    public const uint GroupMaxDistance = MaxFutureMessages;

    /// <summary>Skipped message keys kept per chain (oldest dropped).</summary>
    public const int MaxSkippedKeys = 2000;

    /// <summary>
    /// Skipped message keys kept per session record in total (oldest dropped): two full chains. Neither
    /// libsignal-node nor libsignal-protocol-go bounds the total (docs/protocol/signal.md §4), so a record
    /// could otherwise reach 40 sessions × 5 chains × 2,000 keys.
    /// </summary>
    public const int MaxSkippedKeysPerRecord = 2 * MaxSkippedKeys;

    /// <summary>Receiving chains kept per session (oldest dropped).</summary>
    public const int MaxReceiverChains = 5;

    /// <summary>Sessions (open and closed) kept per record.</summary>
    public const int MaxSessions = 40;

    /// <summary>Sender-key states kept per record.</summary>
    public const int MaxSenderKeyStates = 5;

    /// <summary>Largest serialised record we read: records written before the total bound may hold about 17 MB.</summary>
    public const int MaxRecordSize = 24 << 20;
}
