using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Proto;

namespace WaSms.WhatsApp.Signal;

/// <summary>
/// The double ratchet on one session (docs/protocol/signal.md §4): decrypting a WhisperMessage,
/// stepping the DH ratchet when a new ratchet key arrives. Works on a copy the caller keeps only
/// when everything succeeded.
/// </summary>
internal static class SessionRatchet
{
    /// <summary>Decrypts <paramref name="message"/> with <paramref name="session"/>, updating the session.</summary>
    public static byte[] Decrypt(SessionData session, WhisperMessage message, ReadOnlySpan<byte> localIdentity)
    {
        var chain = FindReceivingChain(session, message.RatchetKey) ?? StepRatchet(session, message);
        var seed = SessionChains.TakeKey(chain.Chain, chain.Skipped, message.Counter, SignalLimits.PairwiseMaxDistance);
        var keys = SignalKdf.WhisperKeys(seed);
        if (!message.MacMatches(keys.MacKey, session.RemoteIdentity.Span, localIdentity))
        {
            throw new SignalException(SignalError.BadMac, "Bad MAC.");
        }

        var plaintext = SignalAes.Decrypt(keys, message.Ciphertext);
        // Something came back on this session, so the peer has it: no more pkmsg wrapping.
        session.PendingPreKey = null;
        return plaintext;
    }

    /// <summary>The sending chain's next message, advancing the chain.</summary>
    public static byte[] EncryptNext(SessionData session, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> localIdentity)
    {
        var chain = session.Sending ?? throw new SignalException(SignalError.NoSession, "The session has no sending chain.");
        var chainKey = chain.Key.Span;
        var keys = SignalKdf.WhisperKeys(SignalKdf.MessageKeySeed(chainKey));
        var ciphertext = SignalAes.Encrypt(keys, plaintext);
        var message = WhisperMessage.Build(session.RatchetPublic.Span, chain.Index, session.PreviousCounter, ciphertext,
            keys.MacKey, localIdentity, session.RemoteIdentity.Span);
        chain.Key = SignalWire.Bytes(SignalKdf.NextChainKey(chainKey));
        chain.Index++;
        return message;
    }

    private static ReceiverChainData? FindReceivingChain(SessionData session, ReadOnlySpan<byte> ratchetKey)
    {
        foreach (var chain in session.Receiving)
        {
            if (chain.RatchetKey.Span.SequenceEqual(ratchetKey))
            {
                return chain;
            }
        }

        return null;
    }

    private static ReceiverChainData StepRatchet(SessionData session, WhisperMessage message)
    {
        // Keep the keys of messages still in flight on their previous chain, then close it.
        if (!session.LastRemoteRatchet.IsEmpty && FindReceivingChain(session, session.LastRemoteRatchet.Span) is { } previous)
        {
            SessionChains.FillTo(previous.Chain, previous.Skipped, message.PreviousCounter, SignalLimits.PairwiseMaxDistance);
            previous.Chain.Key = Google.Protobuf.ByteString.Empty;
        }

        var (rootKey, receivingKey) = SignalKdf.Ratchet(session.RootKey.Span, SignalKeys.Agree(session.RatchetPrivate.Span, message.RatchetKey));
        var receiving = new ReceiverChainData
        {
            RatchetKey = SignalWire.Bytes(message.RatchetKey),
            Chain = new ChainData { Key = SignalWire.Bytes(receivingKey), Index = 0 },
        };
        session.Receiving.Add(receiving);
        if (session.Receiving.Count > SignalLimits.MaxReceiverChains)
        {
            session.Receiving.RemoveAt(0);
        }

        if (session.Sending is { } sending)
        {
            // The counter of the last message sent on the old chain (libsignal-go clamps "none" to 0).
            session.PreviousCounter = sending.Index == 0 ? 0 : sending.Index - 1;
        }

        var ratchet = Curve25519KeyPair.Generate();
        var (nextRoot, sendingKey) = SignalKdf.Ratchet(rootKey, SignalKeys.Agree(ratchet.PrivateKey.Span, message.RatchetKey));
        session.RootKey = SignalWire.Bytes(nextRoot);
        session.RatchetPublic = SignalWire.Bytes(ratchet.PublicKey.Span);
        session.RatchetPrivate = SignalWire.Bytes(ratchet.PrivateKey.Span);
        session.Sending = new ChainData { Key = SignalWire.Bytes(sendingKey), Index = 0 };
        session.LastRemoteRatchet = SignalWire.Bytes(message.RatchetKey);
        return receiving;
    }
}
