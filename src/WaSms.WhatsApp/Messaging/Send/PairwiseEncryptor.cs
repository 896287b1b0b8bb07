using Microsoft.Extensions.Logging;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Messaging.Send;

/// <summary>The <c>&lt;to&gt;</c> nodes of a fan-out, and whether any is a <c>pkmsg</c> (then the stanza carries our device identity).</summary>
internal sealed record Fanout(IReadOnlyList<Node> Nodes, IReadOnlyList<Jid> Devices, bool AnyPreKeyMessage);

/// <summary>
/// Encrypts one plaintext per device (docs/protocol/messaging.md §6.2–6.3) in two steps: first, with no
/// lock held, <see cref="FetchBundlesAsync"/> asks the server in one query for the prekey bundles of the
/// devices without a session (or all, when a fresh session is forced); then, under the caller's
/// <see cref="SendContext.SignalLock"/>, <see cref="EncryptAsync"/> loads the records, builds the missing
/// sessions from those bundles, pads and encrypts. Every record it changes, and the identity keys it
/// learns, go into <see cref="SignalChanges"/> — nothing is saved here; the caller commits before writing
/// the stanza. A device whose bundle or encryption fails is left out, as whatsmeow does.
/// </summary>
internal sealed class PairwiseEncryptor
{
    private readonly ISignalStore _store;
    private readonly SignalIdentity _local;
    private readonly ILogger _logger;

    public PairwiseEncryptor(ISignalStore store, SignalIdentity local, ILogger logger)
    {
        _store = store;
        _local = local;
        _logger = logger;
    }

    /// <summary>The bundles, by <see cref="DeviceTarget.KeyJid"/>, of the targets that need one.</summary>
    /// <param name="freshSession">Every target needs one, asked with <c>reason="identity"</c> (retries).</param>
    public async Task<IReadOnlyDictionary<Jid, PreKeyBundle>> FetchBundlesAsync(
        IStanzaChannel channel, IReadOnlyList<DeviceTarget> targets, SignalChanges changes, bool freshSession, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var bundles = new Dictionary<Jid, PreKeyBundle>();
        if (targets.Count == 0)
        {
            return bundles;
        }

        var records = await LoadAsync(targets, changes, cancellationToken);
        var needed = targets.Where(t => freshSession || !IsOpen(records, t)).Select(t => t.KeyJid).Distinct().ToList();
        foreach (var chunk in needed.Chunk(PreKeyBundleQuery.MaxDevices))
        {
            var reply = await channel.QueryAsync(Jid.WhatsAppServer, "encrypt", "get", PreKeyBundleQuery.Build(chunk, freshSession), cancellationToken);
            var answer = PreKeyBundleQuery.Parse(reply);
            foreach (var (jid, error) in answer.Errors)
            {
                _logger.LogWarning("No prekey bundle for {Device}: {Error}", jid, error);
            }

            foreach (var (jid, bundle) in answer.Bundles.Where(b => chunk.Contains(b.Key)))
            {
                bundles[jid] = bundle;
            }
        }

        return bundles;
    }

    /// <summary>
    /// Sessions from <paramref name="bundles"/> where a target has none (or for every target with a bundle
    /// when <paramref name="freshSession"/>), then one <c>&lt;to&gt;&lt;enc&gt;</c> per target with a session.
    /// </summary>
    public async Task<Fanout> EncryptAsync(
        IReadOnlyList<DeviceTarget> targets, IReadOnlyDictionary<Jid, PreKeyBundle> bundles, SignalChanges changes, bool freshSession, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(bundles);
        var records = await LoadAsync(targets, changes, cancellationToken, moveLegacy: true);
        var nodes = new List<Node>(targets.Count);
        var devices = new List<Jid>(targets.Count);
        var anyPreKey = false;
        foreach (var target in targets)
        {
            if ((freshSession || !IsOpen(records, target)) && bundles.TryGetValue(target.KeyJid, out var bundle))
            {
                StartSession(target, bundle, records, changes);
            }

            if (!IsOpen(records, target))
            {
                continue;
            }

            var record = records[target.Address];
            try
            {
                var (type, ciphertext) = SessionCipher.Encrypt(record, _local, MessagePadding.Pad(target.Message));
                changes.Sessions[target.Address] = record.Serialize();
                anyPreKey |= type == "pkmsg";
                nodes.Add(NodeHelpers.Make("to", [("jid", target.Device)], NodeHelpers.MakeBytes("enc", [("v", "2"), ("type", type)], ciphertext)));
                devices.Add(target.Device);
            }
            catch (SignalException ex)
            {
                _logger.LogWarning("Leaving device {Device} out of a send: {Reason}", target.Device, ex.Message);
            }
        }

        return new Fanout(nodes, devices, anyPreKey);
    }

    /// <summary>
    /// Session records of the targets: those changed earlier in this send first, then the store's, then a
    /// LID-keyed target's session still kept under its phone number (moved in <paramref name="changes"/> only
    /// with <paramref name="moveLegacy"/>, which needs the Signal lock: without it a decrypt could change the
    /// session after it was copied).
    /// </summary>
    public async Task<Dictionary<SignalAddress, SessionRecord>> LoadAsync(IReadOnlyList<DeviceTarget> targets, SignalChanges changes, CancellationToken cancellationToken, bool moveLegacy = false)
    {
        var records = new Dictionary<SignalAddress, SessionRecord>();
        var fromStore = new List<SignalAddress>();
        foreach (var address in targets.Select(t => t.Address).Distinct())
        {
            if (changes.Sessions.TryGetValue(address, out var pending))
            {
                if (pending is not null)
                {
                    records[address] = SessionRecord.Deserialize(pending);
                }
            }
            else
            {
                fromStore.Add(address);
            }
        }

        if (fromStore.Count > 0)
        {
            foreach (var (address, bytes) in await _store.LoadSessionsAsync(fromStore, cancellationToken))
            {
                records[address] = SessionRecord.Deserialize(bytes);
            }
        }

        await LoadLegacySessionsAsync(targets, records, changes, moveLegacy, cancellationToken);
        return records;
    }

    /// <summary>
    /// A LID-keyed target without a session whose phone-number address has one: that session (and the
    /// identity key) moves to the LID address in <paramref name="changes"/> and the old one is deleted, as
    /// whatsmeow migrates sessions when it learns a LID (send.go → <c>migrateSessionStore</c> →
    /// <c>MigratePNToLID</c>); building a new session instead would cost a pkmsg and leave the peer two
    /// sessions for one device. The receive side moves it the same way (Messaging/Receive/InboundDecryptor).
    /// </summary>
    private async Task LoadLegacySessionsAsync(IReadOnlyList<DeviceTarget> targets, Dictionary<SignalAddress, SessionRecord> records, SignalChanges changes, bool move, CancellationToken cancellationToken)
    {
        var moves = targets.Where(t => t.Legacy is { } legacy && legacy != t.Address && !records.ContainsKey(t.Address) && !changes.Sessions.ContainsKey(t.Address))
            .Select(t => (To: t.Address, From: t.Legacy!.Value)).Distinct().ToList();
        if (moves.Count == 0)
        {
            return;
        }

        var stored = await _store.LoadSessionsAsync([.. moves.Select(m => m.From).Where(a => !changes.Sessions.ContainsKey(a))], cancellationToken);
        foreach (var (to, from) in moves)
        {
            var bytes = changes.Sessions.TryGetValue(from, out var pending) ? pending : stored.GetValueOrDefault(from);
            if (bytes is null)
            {
                continue;
            }

            records[to] = SessionRecord.Deserialize(bytes);
            if (!move)
            {
                continue;
            }

            changes.Sessions[to] = bytes;
            changes.Sessions[from] = null;
            if (!changes.Identities.ContainsKey(to) && await _store.LoadIdentityAsync(from, cancellationToken) is { } identity)
            {
                changes.Identities[to] = identity;
            }

            _logger.LogInformation("Session of {From} moved to {To} (its LID)", from, to);
        }
    }

    private static bool IsOpen(Dictionary<SignalAddress, SessionRecord> records, DeviceTarget target) =>
        records.TryGetValue(target.Address, out var record) && record.HasOpenSession;

    private void StartSession(DeviceTarget target, PreKeyBundle bundle, Dictionary<SignalAddress, SessionRecord> records, SignalChanges changes)
    {
        var record = records.TryGetValue(target.Address, out var existing) ? existing : new SessionRecord();
        try
        {
            SessionBuilder.InitFromBundle(record, _local, bundle);
        }
        catch (SignalException ex)
        {
            _logger.LogWarning("The prekey bundle of {Device} was refused: {Reason}", target.KeyJid, ex.Message);
            return;
        }

        records[target.Address] = record;
        changes.Identities[target.Address] = bundle.IdentityKey.ToArray();
    }
}
