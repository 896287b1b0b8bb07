using Google.Protobuf;
using WaSms.WhatsApp.Proto.E2E;
using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Messaging.Receive;

/// <summary>What became of one <c>&lt;enc&gt;</c>.</summary>
internal enum PartOutcome
{
    /// <summary>Decrypted, unpadded and parsed.</summary>
    Decrypted,

    /// <summary>The message key was used before: a copy we already handled (skipped, as whatsmeow does).</summary>
    Duplicate,

    /// <summary>The Signal layer failed: a retry receipt is due.</summary>
    Failed,

    /// <summary>Decrypted (the ratchet moved on) but the plaintext is not a valid padded <c>waE2E.Message</c>.</summary>
    BadPlaintext,

    /// <summary>An <c>enc</c> type this client does not decrypt (<c>msmsg</c>, unknown).</summary>
    Skipped,
}

/// <summary>
/// A store that keeps the session records it handed out parsed (a batch under one lock hold,
/// <see cref="BatchOverlay"/>), so a session's next message in the batch skips parsing its record.
/// </summary>
internal interface IParsedSessions
{
    /// <summary>The record <paramref name="bytes"/> of <paramref name="address"/> hold: the kept one when those are the bytes it was saved as, else parsed.</summary>
    SessionRecord Parse(SignalAddress address, byte[] bytes);

    /// <summary>Keeps <paramref name="record"/> as the parsed form of <paramref name="bytes"/>.</summary>
    void Remember(SignalAddress address, byte[] bytes, SessionRecord record);
}

/// <summary>One <c>&lt;enc&gt;</c>'s result: the plaintext and message when decrypted, else the reason.</summary>
internal sealed record PartResult(EncPart Part, PartOutcome Outcome, byte[]? Plaintext, Message? Message, string? Error, SignalError? SignalError);

/// <summary>
/// Decrypts the <c>&lt;enc&gt;</c> children of one message in order (docs/protocol/messaging.md §2–§3,
/// signal.md): <c>pkmsg</c>/<c>msg</c> with the session of the sender device (LID-keyed, a phone-number
/// session is moved over), <c>skmsg</c> with the sender key of (group, sender device); a sender-key
/// distribution found in a pairwise part is processed before the next part. Every change goes into
/// <see cref="SignalChanges"/> for the caller to commit with the message; nothing is written here.
/// </summary>
internal sealed class InboundDecryptor(ISignalStore store, IPreKeyStore preKeys, WaCredentials credentials, SignalChanges changes)
{
    private readonly SignalIdentity _identity = new(credentials.IdentityKey, credentials.RegistrationId);

    /// <summary>Decrypts every part of <paramref name="stanza"/> sent by <paramref name="sender"/>.</summary>
    public async Task<IReadOnlyList<PartResult>> DecryptAsync(MessageStanza stanza, UserIdentity sender, CancellationToken cancellationToken)
    {
        var results = new List<PartResult>(stanza.Parts.Count);
        foreach (var part in stanza.Parts)
        {
            PartResult result;
            try
            {
                var padded = part.Type switch
                {
                    "pkmsg" or "msg" => await DecryptPairwiseAsync(part, sender, cancellationToken),
                    "skmsg" when stanza.IsGroup => await DecryptGroupAsync(stanza.From.ToString(), part, sender, cancellationToken),
                    _ => null,
                };
                result = padded is null
                    ? new PartResult(part, PartOutcome.Skipped, null, null, $"enc type '{part.Type}' is not handled", null)
                    : await ReadPlaintextAsync(stanza, part, sender, padded, cancellationToken);
            }
            catch (SignalException ex) when (ex.Error == SignalError.DuplicateMessage)
            {
                result = new PartResult(part, PartOutcome.Duplicate, null, null, ex.Message, ex.Error);
            }
            catch (SignalException ex)
            {
                result = new PartResult(part, PartOutcome.Failed, null, null, $"{part.Type}: {ex.Error}: {ex.Message}", ex.Error);
            }

            results.Add(result);
        }

        return results;
    }

    private async Task<PartResult> ReadPlaintextAsync(MessageStanza stanza, EncPart part, UserIdentity sender, byte[] padded, CancellationToken cancellationToken)
    {
        byte[] plaintext;
        Message message;
        try
        {
            // v=3 ("Armadillo") has no padding; v=2 is padded (whatsmeow message.go unpadMessage).
            plaintext = part.Version == 3 ? padded : MessagePadding.Unpad(padded);
            message = Message.Parser.ParseFrom(plaintext);
        }
        catch (Exception ex) when (ex is SignalException or InvalidProtocolBufferException)
        {
            return new PartResult(part, PartOutcome.BadPlaintext, null, null, $"{part.Type}: the plaintext is not a waE2E.Message ({ex.Message})", null);
        }

        if (stanza.IsGroup && message.SenderKeyDistributionMessage is { HasAxolotlSenderKeyDistributionMessage: true } skdm)
        {
            // §3 step 5: stored for (group, sender device) before the skmsg part is decrypted.
            var group = stanza.From.ToString();
            var key = (group, sender.SignalAddress);
            var record = await LoadSenderKeyAsync(key, cancellationToken);
            GroupSessionBuilder.Process(record, skdm.AxolotlSenderKeyDistributionMessage.Span);
            changes.SenderKeys[key] = record.Serialize();
        }

        return new PartResult(part, PartOutcome.Decrypted, plaintext, message, null, null);
    }

    private async Task<byte[]> DecryptPairwiseAsync(EncPart part, UserIdentity sender, CancellationToken cancellationToken)
    {
        var address = sender.SignalAddress;
        var (record, fromLegacy) = await LoadSessionAsync(address, sender.LegacyAddress, cancellationToken);
        var keys = part.Type == "pkmsg"
            ? await LocalPreKeys.ForAsync(part.Ciphertext, record, credentials, preKeys, cancellationToken)
            : new LocalPreKeys(credentials, null);
        var result = SessionCipher.Decrypt(record, _identity, keys, part.Type, part.Ciphertext);
        var bytes = record.Serialize();
        changes.Sessions[address] = bytes;
        (store as IParsedSessions)?.Remember(address, bytes, record);
        if (fromLegacy is { } legacy)
        {
            // The session was kept under the phone number before the LID was known: it moves to the LID (whatsmeow migrateSessionStore).
            changes.Sessions[legacy] = null;
        }

        if (result.UsedPreKeyId is { } used)
        {
            changes.UsedPreKeys.Add(used);
        }

        if (!result.RemoteIdentityKey.IsEmpty)
        {
            changes.Identities[address] = result.RemoteIdentityKey.ToArray();
        }

        return result.Plaintext;
    }

    private async Task<byte[]> DecryptGroupAsync(string group, EncPart part, UserIdentity sender, CancellationToken cancellationToken)
    {
        var key = (group, sender.SignalAddress);
        var record = await LoadSenderKeyAsync(key, cancellationToken);
        var padded = GroupCipher.Decrypt(record, part.Ciphertext);
        changes.SenderKeys[key] = record.Serialize();
        return padded;
    }

    /// <summary>The session of <paramref name="address"/> (this message's earlier parts first), else the one under <paramref name="legacy"/>, else a new record.</summary>
    private async Task<(SessionRecord Record, SignalAddress? FromLegacy)> LoadSessionAsync(SignalAddress address, SignalAddress? legacy, CancellationToken cancellationToken)
    {
        if (await LoadSessionBytesAsync(address, cancellationToken) is { } bytes)
        {
            return (Parse(address, bytes), null);
        }

        if (legacy is { } old && old != address && await LoadSessionBytesAsync(old, cancellationToken) is { } oldBytes)
        {
            return (Parse(old, oldBytes), old);
        }

        return (new SessionRecord(), null);
    }

    /// <summary>The record <paramref name="bytes"/> hold: parsed again unless the store keeps it parsed (a batch, <see cref="IParsedSessions"/>).</summary>
    private SessionRecord Parse(SignalAddress address, byte[] bytes) =>
        store is IParsedSessions parsed ? parsed.Parse(address, bytes) : SessionRecord.Deserialize(bytes);

    private async Task<byte[]?> LoadSessionBytesAsync(SignalAddress address, CancellationToken cancellationToken)
    {
        if (changes.Sessions.TryGetValue(address, out var pending))
        {
            return pending;
        }

        var stored = await store.LoadSessionsAsync([address], cancellationToken);
        return stored.TryGetValue(address, out var bytes) ? bytes : null;
    }

    private async Task<SenderKeyRecord> LoadSenderKeyAsync((string Group, SignalAddress Sender) key, CancellationToken cancellationToken)
    {
        var bytes = changes.SenderKeys.TryGetValue(key, out var pending)
            ? pending
            : await store.LoadSenderKeyAsync(key.Group, key.Sender, cancellationToken);
        return bytes is null ? new SenderKeyRecord() : SenderKeyRecord.Deserialize(bytes);
    }
}
