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

    /// <summary>Receiving chains kept per session (oldest dropped).</summary>
    public const int MaxReceiverChains = 5;

    /// <summary>Sessions (open and closed) kept per record.</summary>
    public const int MaxSessions = 40;

    /// <summary>Sender-key states kept per record.</summary>
    public const int MaxSenderKeyStates = 5;

    /// <summary>Largest serialised record we read: the limits above give at most about 17 MB.</summary>
    public const int MaxRecordSize = 24 << 20;
}
