using Microsoft.Extensions.Logging;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Messaging.Send;

/// <summary>The <c>&lt;to&gt;</c> nodes of a fan-out, and whether any is a <c>pkmsg</c> (then the stanza carries our device identity).</summary>
internal sealed record Fanout(IReadOnlyList<Node> Nodes, IReadOnlyList<Jid> Devices, bool AnyPreKeyMessage);

/// <summary>
/// Encrypts one plaintext per device (docs/protocol/messaging.md §6.2–6.3): loads the sessions, fetches
/// prekey bundles in one query for the devices without one (or all, when a fresh session is forced),
/// builds the sessions, pads and encrypts. Every record it changes, and the identity keys it learns,
/// go into <see cref="SignalChanges"/> — nothing is saved here; the caller commits before writing the stanza.
/// A device whose bundle or encryption fails is left out, as whatsmeow does.
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

    /// <param name="freshSession">Fetch a bundle (with <c>reason="identity"</c>) and start a new session even where one exists (retries).</param>
    public async Task<Fanout> EncryptAsync(
        IStanzaChannel channel, IReadOnlyList<DeviceTarget> targets, SignalChanges changes, bool freshSession, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Count == 0)
        {
            return new Fanout([], [], false);
        }

        var records = await LoadAsync(targets, changes, cancellationToken);
        var needBundle = targets.Where(t => freshSession || !records.TryGetValue(t.Address, out var r) || !r.HasOpenSession).ToList();
        if (needBundle.Count > 0)
        {
            await BuildSessionsAsync(channel, needBundle, records, changes, freshSession, cancellationToken);
        }

        var nodes = new List<Node>(targets.Count);
        var devices = new List<Jid>(targets.Count);
        var anyPreKey = false;
        foreach (var target in targets)
        {
            if (!records.TryGetValue(target.Address, out var record) || !record.HasOpenSession)
            {
                continue;
            }

            try
            {
                var (type, ciphertext) = SessionCipher.Encrypt(record, _local, MessagePadding.Pad(target.Message));
                changes.Sessions[target.Address] = record.Serialize();
                anyPreKey |= type == "pkmsg";
                nodes.Add(NodeHelpers.Make("to", [("jid", target.Device)], EncNode(type, ciphertext)));
                devices.Add(target.Device);
            }
            catch (SignalException ex)
            {
                _logger.LogWarning("Leaving device {Device} out of a send: {Reason}", target.Device, ex.Message);
            }
        }

        return new Fanout(nodes, devices, anyPreKey);
    }

    /// <summary>An <c>&lt;enc v="2" type&gt;</c> node, with <c>count</c> on a retry resend.</summary>
    public static Node EncNode(string type, byte[] ciphertext, int? retryCount = null) =>
        retryCount is { } count
            ? NodeHelpers.MakeBytes("enc", [("v", "2"), ("type", type), ("count", count.ToString(System.Globalization.CultureInfo.InvariantCulture))], ciphertext)
            : NodeHelpers.MakeBytes("enc", [("v", "2"), ("type", type)], ciphertext);

    /// <summary>Session records of the targets: those changed earlier in this send first, then the store's.</summary>
    public async Task<Dictionary<SignalAddress, SessionRecord>> LoadAsync(IReadOnlyList<DeviceTarget> targets, SignalChanges changes, CancellationToken cancellationToken)
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

        return records;
    }

    /// <summary>Starts a session with <paramref name="target"/> from <paramref name="bundle"/>; false (logged) when the bundle is bad.</summary>
    public bool TryStartSession(DeviceTarget target, PreKeyBundle bundle, Dictionary<SignalAddress, SessionRecord> records, SignalChanges changes)
    {
        var record = records.TryGetValue(target.Address, out var existing) ? existing : new SessionRecord();
        try
        {
            SessionBuilder.InitFromBundle(record, _local, bundle);
        }
        catch (SignalException ex)
        {
            _logger.LogWarning("The prekey bundle of {Device} was refused: {Reason}", target.KeyJid, ex.Message);
            return false;
        }

        records[target.Address] = record;
        changes.Identities[target.Address] = bundle.IdentityKey.ToArray();
        return true;
    }

    private async Task BuildSessionsAsync(
        IStanzaChannel channel, List<DeviceTarget> targets, Dictionary<SignalAddress, SessionRecord> records, SignalChanges changes, bool forIdentity, CancellationToken cancellationToken)
    {
        var byKeyJid = targets.GroupBy(t => t.KeyJid).ToDictionary(g => g.Key, g => g.First());
        foreach (var chunk in byKeyJid.Keys.Chunk(PreKeyBundleQuery.MaxDevices))
        {
            var reply = await channel.QueryAsync(Jid.WhatsAppServer, "encrypt", "get", PreKeyBundleQuery.Build(chunk, forIdentity), cancellationToken);
            var answer = PreKeyBundleQuery.Parse(reply);
            foreach (var (jid, error) in answer.Errors)
            {
                _logger.LogWarning("No prekey bundle for {Device}: {Error}", jid, error);
            }

            foreach (var (jid, bundle) in answer.Bundles)
            {
                if (byKeyJid.TryGetValue(jid, out var target))
                {
                    TryStartSession(target, bundle, records, changes);
                }
            }
        }
    }
}
