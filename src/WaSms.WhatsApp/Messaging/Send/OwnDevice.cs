using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Messaging.Send;

/// <summary>This device as the send path sees it: its PN and LID device JIDs, its Signal identity and its signed device identity.</summary>
internal sealed record OwnDevice(Jid Pn, Jid? Lid, SignalIdentity Signal, ReadOnlyMemory<byte> DeviceIdentity)
{
    /// <summary>From paired credentials.</summary>
    /// <exception cref="InvalidOperationException">The credentials are not paired.</exception>
    public static OwnDevice From(WaCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var pn = credentials.Jid ?? throw new InvalidOperationException("The device is not paired.");
        return new OwnDevice(pn, credentials.Lid, new SignalIdentity(credentials.IdentityKey, credentials.RegistrationId), credentials.Account);
    }

    /// <summary>Our user under the identity a chat of <paramref name="server"/> uses: the LID for LID chats when known, else the PN.</summary>
    public Jid UserFor(string server) =>
        new(server == JidServer.Lid && Lid is not null ? Lid.User : Pn.User, server == JidServer.Lid && Lid is not null ? JidServer.Lid : JidServer.WhatsApp);

    /// <summary>True for this very device, under either identity (device 0 compares as the bare user).</summary>
    public bool IsThisDevice(Jid device) => Same(device, Pn) || (Lid is not null && Same(device, Lid));

    /// <summary>True for any device of our account.</summary>
    public bool IsOwnUser(Jid jid) =>
        (jid.Server == JidServer.WhatsApp && jid.User == Pn.User) || (Lid is not null && jid.Server == JidServer.Lid && jid.User == Lid.User);

    /// <summary>The <c>&lt;device-identity&gt;</c> node: our <c>ADVSignedDeviceIdentity</c> as stored at pairing.</summary>
    public Node DeviceIdentityNode() => NodeHelpers.MakeBytes("device-identity", [], DeviceIdentity.Span);

    private static bool Same(Jid a, Jid b) => a.User == b.User && a.Server == b.Server && (a.Device ?? 0) == (b.Device ?? 0);
}
