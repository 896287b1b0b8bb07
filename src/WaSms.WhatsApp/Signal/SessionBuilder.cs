using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Proto;

namespace WaSms.WhatsApp.Signal;

/// <summary>X3DH (docs/protocol/signal.md §3): starting a session from a prekey bundle, and answering one.</summary>
public static class SessionBuilder
{
    /// <summary>
    /// Starts a session as initiator from <paramref name="bundle"/> and makes it the record's open
    /// session; until the peer answers, every message is a pkmsg. Unlike libsignal-node, the signed
    /// prekey's signature is checked (as libsignal-protocol-go does).
    /// </summary>
    /// <exception cref="SignalException"><see cref="SignalError.InvalidSignature"/> or <see cref="SignalError.InvalidKey"/>; the record is unchanged.</exception>
    public static void InitFromBundle(SessionRecord record, SignalIdentity local, PreKeyBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(bundle);
        SignalKeys.CheckRaw(bundle.IdentityKey.Span, "bundle's identity key");
        SignalKeys.CheckRaw(bundle.SignedPreKey.Span, "bundle's signed prekey");
        if (bundle.PreKeyId is not null)
        {
            SignalKeys.CheckRaw(bundle.PreKey.Span, "bundle's one-time prekey");
        }

        if (!XEdDsa.Verify(bundle.IdentityKey.Span, SignalKeys.Encode(bundle.SignedPreKey.Span), bundle.SignedPreKeySignature.Span))
        {
            throw new SignalException(SignalError.InvalidSignature, "The bundle's signed prekey signature does not verify.");
        }

        var baseKey = Curve25519KeyPair.Generate();
        var identityPrivate = local.IdentityKey.PrivateKey.Span;
        var basePrivate = baseKey.PrivateKey.Span;
        byte[] master = MasterSecret(
            SignalKeys.Agree(identityPrivate, bundle.SignedPreKey.Span),
            SignalKeys.Agree(basePrivate, bundle.IdentityKey.Span),
            SignalKeys.Agree(basePrivate, bundle.SignedPreKey.Span),
            bundle.PreKeyId is null ? null : SignalKeys.Agree(basePrivate, bundle.PreKey.Span));

        // The initiator sends on a fresh ratchet key at once; the "WhisperText" chain key is unused.
        var ratchet = Curve25519KeyPair.Generate();
        var (rootKey, sendingKey) = SignalKdf.Ratchet(SignalKdf.RootKey(master), SignalKeys.Agree(ratchet.PrivateKey.Span, bundle.SignedPreKey.Span));
        var pending = new PendingPreKeyData { SignedPreKeyId = bundle.SignedPreKeyId, BaseKey = SignalWire.Bytes(baseKey.PublicKey.Span) };
        if (bundle.PreKeyId is { } preKeyId)
        {
            pending.HasPreKeyId = true;
            pending.PreKeyId = preKeyId;
        }

        record.AddOpenSession(new SessionData
        {
            BaseKey = SignalWire.Bytes(baseKey.PublicKey.Span),
            RemoteRegistrationId = bundle.RegistrationId,
            RemoteIdentity = SignalWire.Bytes(bundle.IdentityKey.Span),
            RootKey = SignalWire.Bytes(rootKey),
            RatchetPublic = SignalWire.Bytes(ratchet.PublicKey.Span),
            RatchetPrivate = SignalWire.Bytes(ratchet.PrivateKey.Span),
            LastRemoteRatchet = SignalWire.Bytes(bundle.SignedPreKey.Span),
            Sending = new ChainData { Key = SignalWire.Bytes(sendingKey), Index = 0 },
            PendingPreKey = pending,
        });
    }

    /// <summary>
    /// The responder's new session for a pkmsg (not yet in any record): our signed prekey is the
    /// first ratchet key; the receiving chain is made when the inner message's ratchet key arrives.
    /// </summary>
    internal static SessionData Respond(SignalIdentity local, PreKeyWhisperContent message, Curve25519KeyPair signedPreKey, Curve25519KeyPair? oneTimePreKey)
    {
        var signedPrivate = signedPreKey.PrivateKey.Span;
        byte[] master = MasterSecret(
            SignalKeys.Agree(signedPrivate, message.IdentityKey),
            SignalKeys.Agree(local.IdentityKey.PrivateKey.Span, message.BaseKey),
            SignalKeys.Agree(signedPrivate, message.BaseKey),
            oneTimePreKey is null ? null : SignalKeys.Agree(oneTimePreKey.PrivateKey.Span, message.BaseKey));
        return new SessionData
        {
            BaseKey = SignalWire.Bytes(message.BaseKey),
            RemoteRegistrationId = message.RegistrationId,
            RemoteIdentity = SignalWire.Bytes(message.IdentityKey),
            RootKey = SignalWire.Bytes(SignalKdf.RootKey(master)),
            RatchetPublic = SignalWire.Bytes(signedPreKey.PublicKey.Span),
            RatchetPrivate = SignalWire.Bytes(signedPrivate),
            LastRemoteRatchet = SignalWire.Bytes(message.BaseKey),
        };
    }

    /// <summary><c>0xFF×32 ‖ DH1 ‖ DH2 ‖ DH3 [‖ DH4]</c> (X3DH §3.3).</summary>
    private static byte[] MasterSecret(byte[] dh1, byte[] dh2, byte[] dh3, byte[]? dh4)
    {
        var master = new byte[32 * (dh4 is null ? 4 : 5)];
        master.AsSpan(0, 32).Fill(0xFF);
        dh1.CopyTo(master, 32);
        dh2.CopyTo(master, 64);
        dh3.CopyTo(master, 96);
        dh4?.CopyTo(master, 128);
        return master;
    }
}
