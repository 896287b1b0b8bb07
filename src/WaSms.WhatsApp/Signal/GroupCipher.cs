namespace WaSms.WhatsApp.Signal;

/// <summary>
/// Group messages with sender keys (docs/protocol/signal.md §7). Pure and synchronous; a failed
/// decrypt leaves the record unchanged.
/// </summary>
public static class GroupCipher
{
    /// <summary>
    /// Encrypts with our newest sender key at its current iteration (0, 1, 2, … as
    /// libsignal-protocol-go does; Baileys' 0, 2, 4, … is accepted on receipt) and signs the message.
    /// </summary>
    /// <exception cref="SignalException"><see cref="SignalError.NoSenderKey"/> without a sender key of our own.</exception>
    public static byte[] Encrypt(SenderKeyRecord own, ReadOnlySpan<byte> paddedPlaintext)
    {
        ArgumentNullException.ThrowIfNull(own);
        var state = own.Latest;
        if (state is null || state.SigningPrivate.IsEmpty)
        {
            throw new SignalException(SignalError.NoSenderKey, "No sender key of our own to encrypt with (call CreateDistribution first).");
        }

        var chainKey = state.Chain.Key.Span;
        var keys = SignalKdf.GroupKeys(SignalKdf.MessageKeySeed(chainKey));
        var message = SenderKeyMessage.Build(state.KeyId, state.Chain.Index, SignalAes.Encrypt(keys, paddedPlaintext), state.SigningPrivate.Span);
        state.Chain.Key = SignalWire.Bytes(SignalKdf.NextChainKey(chainKey));
        state.Chain.Index++;
        return message;
    }

    /// <summary>Decrypts a skmsg: the signature is checked first, then the iteration's key is taken once.</summary>
    /// <exception cref="SignalException">Why it failed (<see cref="SignalError.NoSenderKey"/>, <see cref="SignalError.InvalidSignature"/>,
    /// <see cref="SignalError.DuplicateMessage"/>, <see cref="SignalError.TooFarInFuture"/>, …); the record is unchanged.</exception>
    public static byte[] Decrypt(SenderKeyRecord record, ReadOnlySpan<byte> skmsg)
    {
        ArgumentNullException.ThrowIfNull(record);
        var message = SenderKeyMessage.Parse(skmsg);
        int index = record.IndexOf(message.KeyId);
        if (index < 0)
        {
            throw new SignalException(SignalError.NoSenderKey, $"No sender key with id {message.KeyId}.");
        }

        var state = record.Data.States[index].Clone();
        if (!message.SignatureMatches(state.SigningPublic.Span))
        {
            throw new SignalException(SignalError.InvalidSignature, "The group message's signature does not verify.");
        }

        var seed = SessionChains.TakeKey(state.Chain, state.Skipped, message.Iteration, SignalLimits.GroupMaxDistance);
        var plaintext = SignalAes.Decrypt(SignalKdf.GroupKeys(seed), message.Ciphertext);
        record.Data.States[index] = state;
        return plaintext;
    }
}
