using WaSms.WhatsApp.Binary;

namespace WaSms.Emulators.WhatsApp.Accounts;

/// <summary>
/// What the server holds for one device of an account: its JIDs, its published keys, and its
/// mailbox (the connection it is logged in on, or the offline queue).
/// </summary>
internal sealed class ServerDevice
{
    public ServerDevice(EmulatedAccount account, uint id, EmulatedDevice? linked)
    {
        Account = account;
        Id = id;
        Linked = linked;
        Mailbox = new DeviceMailbox(this);
    }

    public EmulatedAccount Account { get; }

    /// <summary>0 for the phone, the companion's device id otherwise (also its ADV key index).</summary>
    public uint Id { get; }

    /// <summary>The companion as it was linked (its Noise and identity keys); null for the phone.</summary>
    public EmulatedDevice? Linked { get; }

    public DeviceKeys Keys { get; } = new();

    public DeviceMailbox Mailbox { get; }

    /// <summary>The device JID by phone number; device 0 is written as the bare user JID, as the server does.</summary>
    public Jid Pn => Of(Account.PhoneNumber, JidServer.WhatsApp);

    /// <summary>The device JID by LID.</summary>
    public Jid Lid => Of(Account.LidUser, JidServer.Lid);

    /// <summary>The device JID in the LID or phone-number form.</summary>
    public Jid In(bool lid) => lid ? Lid : Pn;

    /// <summary><c>user.agent:device@server</c>, the form the participant hash is taken over.</summary>
    public string AdString(bool lid) => ParticipantHash.AdString(In(lid));

    public override string ToString() => Pn.ToString();

    private Jid Of(string user, string server) => Id == 0 ? new Jid(user, server) : new Jid(user, server, (ushort)Id);
}
