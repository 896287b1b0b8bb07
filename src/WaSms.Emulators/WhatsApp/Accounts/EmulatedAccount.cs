using System.Collections.Concurrent;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Crypto;

namespace WaSms.Emulators.WhatsApp.Accounts;

/// <summary>
/// One WhatsApp account on the emulator: a phone number, its LID user, the account (primary
/// identity) key and its devices — device 0 the phone, 1… linked companions
/// (docs/protocol/messaging.md §1).
/// </summary>
internal sealed class EmulatedAccount
{
    private readonly ConcurrentDictionary<uint, ServerDevice> _devices = new();
    private int _lastDeviceId;

    public EmulatedAccount(string phoneNumber, string lidUser, string? pushName)
    {
        PhoneNumber = phoneNumber;
        LidUser = lidUser;
        PushName = pushName;
        IdentityKey = Curve25519KeyPair.Generate();
        PhoneKeys = new LocalDeviceKeys(IdentityKey);
        Phone = new ServerDevice(this, 0, null);
        Phone.Keys.Add(PhoneKeys.NewUpload(PhoneKeyCount));
        _devices[0] = Phone;
    }

    /// <summary>How many one-time prekeys the emulated phone publishes.</summary>
    public const int PhoneKeyCount = 30;

    /// <summary>The phone number, digits only.</summary>
    public string PhoneNumber { get; }

    /// <summary>The LID user part.</summary>
    public string LidUser { get; }

    /// <summary>The name sent as <c>notify</c> on this account's messages, if any.</summary>
    public string? PushName { get; set; }

    /// <summary>The phone's identity key, which also signs linked devices (ADV account key).</summary>
    public Curve25519KeyPair IdentityKey { get; }

    /// <summary>The phone's Signal keys (device 0 is played by the emulator).</summary>
    public LocalDeviceKeys PhoneKeys { get; }

    /// <summary>Device 0.</summary>
    public ServerDevice Phone { get; }

    /// <summary>The user JID by phone number.</summary>
    public Jid Pn => new(PhoneNumber, JidServer.WhatsApp);

    /// <summary>The user JID by LID.</summary>
    public Jid Lid => new(LidUser, JidServer.Lid);

    /// <summary>The user JID in the LID or phone-number form.</summary>
    public Jid User(bool lid) => lid ? Lid : Pn;

    /// <summary>The devices, by id.</summary>
    public IReadOnlyList<ServerDevice> Devices => [.. _devices.Values.OrderBy(d => d.Id)];

    public ServerDevice? Device(uint id) => _devices.GetValueOrDefault(id);

    /// <summary>A fresh companion device id (1, 2, … never reused).</summary>
    public uint NextDeviceId() => (uint)Interlocked.Increment(ref _lastDeviceId);

    public void Add(ServerDevice device) => _devices[device.Id] = device;

    public ServerDevice? Remove(uint id) => id != 0 && _devices.TryRemove(id, out var removed) ? removed : null;
}
