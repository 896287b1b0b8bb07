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
            throw new SignalException(SignalError.TooFarInFuture, $"The message is more than {SignalLimits.MaxFutureMessages} messages ahead of its chain (at {chain.Index}).");
        }

        CheckOpen(chain);
        byte[] key = chain.Key.ToByteArray();
        // Counted, not compared with the counter: a counter of uint.MaxValue must not loop forever.
        for (uint n = 0, count = counter - chain.Index + 1; n < count; n++)
        {
            skipped.Add(new SkippedKeyData { Index = chain.Index + n, Seed = ByteString.CopyFrom(SignalKdf.MessageKeySeed(key)) });
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
    /// used twice; a key already used (or dropped) is a duplicate. Keys skipped on the way are kept.
    /// </summary>
    public static byte[] TakeKey(ChainData chain, RepeatedField<SkippedKeyData> skipped, uint counter, uint maxDistance)
    {
        if (counter < chain.Index)
        {
            for (int i = skipped.Count - 1; i >= 0; i--)
            {
                if (skipped[i].Index == counter)
                {
                    var stored = skipped[i].Seed.ToByteArray();
                    skipped.RemoveAt(i);
                    return stored;
                }
            }

            throw new SignalException(SignalError.DuplicateMessage, $"The key of message {counter} was used already (or dropped).");
        }

        if (counter > chain.Index)
        {
            FillTo(chain, skipped, counter - 1, maxDistance - 1);
        }

        CheckOpen(chain);
        var key = chain.Key.Span;
        var seed = SignalKdf.MessageKeySeed(key);
        chain.Key = ByteString.CopyFrom(SignalKdf.NextChainKey(key));
        chain.Index = counter + 1;
        return seed;
    }

    private static void CheckOpen(ChainData chain)
    {
        if (chain.Key.IsEmpty)
        {
            throw new SignalException(SignalError.InvalidMessage, "The message belongs to a closed chain.");
        }
    }

    private static void RemoveOldest(RepeatedField<SkippedKeyData> skipped, int count)
    {
        var kept = skipped.Skip(count).ToArray();
        skipped.Clear();
        skipped.Add(kept);
    }
}
