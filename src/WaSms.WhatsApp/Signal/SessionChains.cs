using Google.Protobuf;
using Google.Protobuf.Collections;
using WaSms.WhatsApp.Proto;

namespace WaSms.WhatsApp.Signal;

/// <summary>
/// The symmetric-key ratchet of one chain: stepping it forward, keeping skipped message keys and
/// taking a message's key exactly once (docs/protocol/signal.md §4 counters and limits; §7 reuses it).
/// </summary>
internal static class SessionChains
{
    /// <summary>
    /// Derives and stores the message keys of <paramref name="chain"/> up to and including
    /// <paramref name="counter"/>, as libsignal-node's fillMessageKeys does. A counter more than
    /// <paramref name="maxDistance"/> past the chain's next index is too far in the future
    /// (pairwise 1999: libsignal-node counts from the last key made; sender keys 2000: Baileys
    /// counts from the next).
    /// </summary>
    public static void FillTo(ChainData chain, RepeatedField<SkippedKeyData> skipped, uint counter, uint maxDistance)
    {
        if (chain.Index > counter)
        {
            return;
        }

        if (counter - chain.Index > maxDistance)
        {
            throw new SignalException(SignalError.TooFarInFuture, $"Message {counter} is more than {SignalLimits.MaxFutureMessages} messages ahead of its chain (at {chain.Index}).");
        }

        if (chain.Key.IsEmpty)
        {
            throw new SignalException(SignalError.InvalidMessage, "The message belongs to a closed chain.");
        }

        byte[] key = chain.Key.ToByteArray();
        for (uint index = chain.Index; index <= counter; index++)
        {
            skipped.Add(new SkippedKeyData { Index = index, Seed = ByteString.CopyFrom(SignalKdf.MessageKeySeed(key)) });
            key = SignalKdf.NextChainKey(key);
        }

        chain.Key = ByteString.CopyFrom(key);
        chain.Index = counter + 1;
        if (skipped.Count > SignalLimits.MaxSkippedKeys)
        {
            RemoveOldest(skipped, skipped.Count - SignalLimits.MaxSkippedKeys);
        }
    }

    /// <summary>
    /// The message key seed for <paramref name="counter"/>, removed from the chain so it is never
    /// used twice; a key already used (or dropped) is a duplicate.
    /// </summary>
    public static byte[] TakeKey(ChainData chain, RepeatedField<SkippedKeyData> skipped, uint counter, uint maxDistance)
    {
        FillTo(chain, skipped, counter, maxDistance);
        for (int i = skipped.Count - 1; i >= 0; i--)
        {
            if (skipped[i].Index == counter)
            {
                var seed = skipped[i].Seed.ToByteArray();
                skipped.RemoveAt(i);
                return seed;
            }
        }

        throw new SignalException(SignalError.DuplicateMessage, $"The key of message {counter} was used already (or dropped).");
    }

    private static void RemoveOldest(RepeatedField<SkippedKeyData> skipped, int count)
    {
        var kept = skipped.Skip(count).ToArray();
        skipped.Clear();
        skipped.Add(kept);
    }
}
