using WaSms.WhatsApp.Signal;

namespace WaSms.WhatsApp.Store;

/// <summary>
/// An <see cref="ISignalStore"/> in memory, for tests, tools and the emulator's contacts; the gateway
/// keeps it in SQLite. Records are copied in and out, so a caller changing its array changes nothing
/// here. One-time prekeys a commit used up are removed from <paramref name="preKeys"/> when given.
/// </summary>
public sealed class InMemorySignalStore(IPreKeyStore? preKeys = null) : ISignalStore
{
    private readonly Dictionary<SignalAddress, byte[]> _sessions = [];
    private readonly Dictionary<SignalAddress, byte[]> _identities = [];
    private readonly Dictionary<(string Group, SignalAddress Sender), byte[]> _senderKeys = [];
    private readonly Dictionary<string, string> _phoneByLid = [];
    private readonly Dictionary<string, string> _lidByPhone = [];

    /// <summary>The lock every change holds; <see cref="InMemoryMessageStore"/> takes it too, so a message and its changes land together.</summary>
    internal Lock Gate { get; } = new();

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<SignalAddress, byte[]>> LoadSessionsAsync(IReadOnlyCollection<SignalAddress> addresses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        cancellationToken.ThrowIfCancellationRequested();
        lock (Gate)
        {
            var found = new Dictionary<SignalAddress, byte[]>();
            foreach (var address in addresses)
            {
                if (_sessions.TryGetValue(address, out var record))
                {
                    found[address] = [.. record];
                }
            }
            return Task.FromResult<IReadOnlyDictionary<SignalAddress, byte[]>>(found);
        }
    }

    /// <inheritdoc />
    public Task<byte[]?> LoadIdentityAsync(SignalAddress address, CancellationToken cancellationToken) =>
        Find(_identities, address, cancellationToken);

    /// <inheritdoc />
    public Task<byte[]?> LoadSenderKeyAsync(string group, SignalAddress sender, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(group);
        return Find(_senderKeys, (group, sender), cancellationToken);
    }

    /// <inheritdoc />
    public Task<string?> GetLidUserAsync(string phoneUser, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(phoneUser);
        lock (Gate)
        {
            return Task.FromResult(_lidByPhone.GetValueOrDefault(phoneUser));
        }
    }

    /// <inheritdoc />
    public Task<string?> GetPhoneUserAsync(string lidUser, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lidUser);
        lock (Gate)
        {
            return Task.FromResult(_phoneByLid.GetValueOrDefault(lidUser));
        }
    }

    /// <inheritdoc />
    public async Task CommitAsync(SignalChanges changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        cancellationToken.ThrowIfCancellationRequested();
        lock (Gate)
        {
            Apply(changes);
        }
        await RemoveUsedPreKeysAsync(changes, cancellationToken);
    }

    /// <summary>Applies <paramref name="changes"/>; the caller holds <see cref="Gate"/>.</summary>
    internal void Apply(SignalChanges changes)
    {
        foreach (var (address, record) in changes.Sessions)
        {
            if (record is null)
            {
                _sessions.Remove(address);
            }
            else
            {
                _sessions[address] = [.. record];
            }
        }
        foreach (var (address, key) in changes.Identities)
        {
            _identities[address] = [.. key];
        }
        foreach (var (key, record) in changes.SenderKeys)
        {
            _senderKeys[key] = [.. record];
        }
        foreach (var (lid, phone) in changes.LidMappings)
        {
            // One LID per phone number and the reverse: a new pair replaces whatever either side had.
            if (_phoneByLid.Remove(lid, out var oldPhone))
            {
                _lidByPhone.Remove(oldPhone);
            }
            if (_lidByPhone.Remove(phone, out var oldLid))
            {
                _phoneByLid.Remove(oldLid);
            }
            _phoneByLid[lid] = phone;
            _lidByPhone[phone] = lid;
        }
    }

    /// <summary>
    /// <paramref name="jid"/> and, when the map knows it, its other form (a LID user JID ↔ a phone-number
    /// user JID); the caller holds <see cref="Gate"/>.
    /// </summary>
    internal IEnumerable<string> FormsOf(string jid)
    {
        yield return jid;
        if (jid.EndsWith("@lid", StringComparison.Ordinal) && _phoneByLid.TryGetValue(jid[..^"@lid".Length], out var phone))
        {
            yield return phone + "@s.whatsapp.net";
        }
        else if (jid.EndsWith("@s.whatsapp.net", StringComparison.Ordinal) && _lidByPhone.TryGetValue(jid[..^"@s.whatsapp.net".Length], out var lid))
        {
            yield return lid + "@lid";
        }
    }

    /// <summary>Removes the prekeys <paramref name="changes"/> used up from the prekey store, if there is one.</summary>
    internal async Task RemoveUsedPreKeysAsync(SignalChanges changes, CancellationToken cancellationToken)
    {
        if (preKeys is null)
        {
            return;
        }
        foreach (var id in changes.UsedPreKeys)
        {
            await preKeys.RemoveAsync(id, cancellationToken);
        }
    }

    private Task<byte[]?> Find<TKey>(Dictionary<TKey, byte[]> records, TKey key, CancellationToken cancellationToken)
        where TKey : notnull
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (Gate)
        {
            return Task.FromResult<byte[]?>(records.TryGetValue(key, out var record) ? [.. record] : null);
        }
    }
}
