namespace WaSms.WhatsApp.Events;

/// <summary>
/// The server accepted a phone-number pairing request: show <paramref name="Code"/> (as
/// <c>XXXX-XXXX</c>) so the user types it on the phone under Linked devices → Link with phone
/// number (docs/whatsapp.md §9). The QR stays valid in parallel until either is used.
/// </summary>
public sealed record PairingCodeIssued(string Code) : WaEvent;
