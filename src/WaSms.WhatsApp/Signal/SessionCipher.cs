namespace WaSms.WhatsApp.Signal;

/// <summary>
/// Pairwise encryption with a <see cref="SessionRecord"/> (docs/protocol/signal.md §3–§5). Pure and
/// synchronous; a failed operation leaves the record as it was.
/// </summary>
public static class SessionCipher
{
    /// <summary>
    /// Encrypts <paramref name="plaintext"/> (already WhatsApp-padded) with the open session:
    /// "pkmsg" while the peer has not answered a session we started, else "msg".
    /// </summary>
    /// <exception cref="SignalException"><see cref="SignalError.NoSession"/> without an open session.</exception>
    public static (string EncType, byte[] Ciphertext) Encrypt(SessionRecord record, SignalIdentity local, ReadOnlySpan<byte> plaintext)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(local);
        var open = record.OpenSession ?? throw new SignalException(SignalError.NoSession, "No open session to encrypt with.");
        int index = record.Data.Sessions.IndexOf(open);
        var session = open.Clone();
        var localIdentity = local.IdentityKey.PublicKey.Span;
        var message = SessionRatchet.EncryptNext(session, plaintext, localIdentity);
        string type = "msg";
        if (session.PendingPreKey is { } pending)
        {
            message = PreKeyWhisperMessage.Build(new PreKeyWhisperContent(
                pending.HasPreKeyId ? pending.PreKeyId : null,
                pending.SignedPreKeyId,
                local.RegistrationId,
                localIdentity.ToArray(),
                pending.BaseKey.ToByteArray(),
                message));
            type = "pkmsg";
        }

        record.ReplaceInPlace(index, session);
        return (type, message);
    }

    /// <summary>
    /// Decrypts a "msg" (trying every session, most recently used first) or a "pkmsg" (which may
    /// start a new session as responder). The plaintext is still WhatsApp-padded
    /// (<see cref="MessagePadding.Unpad"/>). <see cref="SignalDecryptResult.UsedPreKeyId"/> names the
    /// one-time prekey a new session consumed: the caller deletes it.
    /// </summary>
    /// <exception cref="SignalException">Why it failed; the record is unchanged.</exception>
    public static SignalDecryptResult Decrypt(SessionRecord record, SignalIdentity local, ILocalPreKeys keys, string encType, ReadOnlySpan<byte> ciphertext)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(keys);
        return encType switch
        {
            "msg" => DecryptWhisper(record, local, WhisperMessage.Parse(ciphertext)),
            "pkmsg" => DecryptPreKey(record, local, keys, PreKeyWhisperMessage.Parse(ciphertext)),
            _ => throw new SignalException(SignalError.InvalidMessage, $"Unknown pairwise message type '{encType}'."),
        };
    }

    private static SignalDecryptResult DecryptWhisper(SessionRecord record, SignalIdentity local, WhisperMessage message)
    {
        var sessions = record.Data.Sessions;
        if (sessions.Count == 0)
        {
            throw new SignalException(SignalError.NoSession, "No session to decrypt the message with.");
        }

        SignalException? failure = null;
        int failureRank = -1;
        for (int i = 0; i < sessions.Count; i++)
        {
            var session = sessions[i].Clone();
            try
            {
                var plaintext = SessionRatchet.Decrypt(session, message, local.IdentityKey.PublicKey.Span);
                record.Replace(i, session);
                return new SignalDecryptResult(plaintext, null, session.RemoteIdentity.ToByteArray());
            }
            catch (SignalException e)
            {
                int rank = FailureRank(e, sessions[i], message);
                if (rank > failureRank)
                {
                    (failure, failureRank) = (e, rank);
                }
            }
        }

        throw failure!;
    }

    /// <summary>
    /// Which failure to report when no session could decrypt: a used key (a duplicate, never
    /// retried) first, then what the session that knows the message's ratchet key said, then a Bad
    /// MAC ("not this session"), then anything else (e.g. a foreign previous counter).
    /// </summary>
    private static int FailureRank(SignalException e, Proto.SessionData session, WhisperMessage message) =>
        e.Error == SignalError.DuplicateMessage ? 3
        : session.Receiving.Any(c => c.RatchetKey.Span.SequenceEqual(message.RatchetKey)) ? 2
        : e.Error == SignalError.BadMac ? 1
        : 0;

    private static SignalDecryptResult DecryptPreKey(SessionRecord record, SignalIdentity local, ILocalPreKeys keys, PreKeyWhisperContent content)
    {
        var inner = WhisperMessage.Parse(content.Message);
        int existing = record.IndexOf(content.BaseKey);
        if (existing >= 0)
        {
            // The sender has not seen our answer yet and still wraps: the same session, no prekey used.
            var known = record.Data.Sessions[existing].Clone();
            var plaintext = SessionRatchet.Decrypt(known, inner, local.IdentityKey.PublicKey.Span);
            record.Replace(existing, known);
            return new SignalDecryptResult(plaintext, null, known.RemoteIdentity.ToByteArray());
        }

        var signedPreKey = keys.SignedPreKey(content.SignedPreKeyId)
            ?? throw new SignalException(SignalError.MissingSignedPreKey, $"The message names signed prekey {content.SignedPreKeyId}, which we do not have.");
        var oneTimePreKey = content.PreKeyId is { } id
            ? keys.PreKey(id) ?? throw new SignalException(SignalError.InvalidPreKeyId, $"The message names one-time prekey {id}, which we do not have.")
            : null;
        var session = SessionBuilder.Respond(local, content, signedPreKey, oneTimePreKey);
        var result = SessionRatchet.Decrypt(session, inner, local.IdentityKey.PublicKey.Span);
        record.AddOpenSession(session);
        return new SignalDecryptResult(result, content.PreKeyId, content.IdentityKey);
    }
}

/// <summary>A decrypted pairwise message.</summary>
/// <param name="Plaintext">The plaintext, still WhatsApp-padded.</param>
/// <param name="UsedPreKeyId">The one-time prekey a new session used (delete it), else null.</param>
/// <param name="RemoteIdentityKey">The sender's identity key (32 bytes).</param>
public sealed record SignalDecryptResult(byte[] Plaintext, uint? UsedPreKeyId, ReadOnlyMemory<byte> RemoteIdentityKey);
