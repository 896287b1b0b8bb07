using WaSms.WhatsApp.Binary;

namespace WaSms.Emulators.WhatsApp.Accounts;

/// <summary>A device the emulator plays in-process (a phone, an emulated contact): it is always online.</summary>
internal interface ILocalDevice
{
    /// <summary>Takes a stanza the server delivers to the device; must not block the sender for long.</summary>
    void Receive(Node stanza);
}
