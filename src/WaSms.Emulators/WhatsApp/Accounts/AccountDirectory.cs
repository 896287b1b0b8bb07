using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using WaSms.WhatsApp.Binary;

namespace WaSms.Emulators.WhatsApp.Accounts;

/// <summary>Every account the emulator knows, found by phone number or LID.</summary>
internal sealed class AccountDirectory(Action<EmulatedAccount> created)
{
    private readonly ConcurrentDictionary<string, EmulatedAccount> _byPhone = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, EmulatedAccount> _byLid = new(StringComparer.Ordinal);
    private readonly Lock _create = new();

    public IReadOnlyCollection<EmulatedAccount> All => [.. _byPhone.Values];

    /// <summary>The account of <paramref name="phoneNumber"/> (digits), made on first use with a new LID.</summary>
    public EmulatedAccount GetOrCreate(string phoneNumber, string? pushName = null)
    {
        if (_byPhone.TryGetValue(phoneNumber, out var found))
        {
            return found;
        }

        lock (_create)
        {
            if (_byPhone.TryGetValue(phoneNumber, out found))
            {
                return found;
            }

            string lid;
            do
            {
                lid = (100_000_000_000_000UL + (ulong)RandomNumberGenerator.GetInt32(1, int.MaxValue)).ToString(CultureInfo.InvariantCulture);
            }
            while (_byLid.ContainsKey(lid));

            var account = new EmulatedAccount(phoneNumber, lid, pushName);
            created(account);
            _byLid[lid] = account;
            _byPhone[phoneNumber] = account;
            return account;
        }
    }

    /// <summary>The account a user or device JID names, by phone number or LID; null for anything else.</summary>
    public EmulatedAccount? Find(Jid? jid) => jid?.Server switch
    {
        JidServer.WhatsApp => _byPhone.GetValueOrDefault(jid.User),
        JidServer.Lid => _byLid.GetValueOrDefault(jid.User),
        _ => null,
    };

    /// <summary>The device a device JID names (no device part = device 0).</summary>
    public ServerDevice? FindDevice(Jid? jid) => Find(jid)?.Device(jid!.Device ?? 0);
}
