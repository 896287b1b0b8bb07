using WaSms.WhatsApp.Pairing;

namespace WaSms.WhatsApp.Events;

/// <summary>
/// The phone's <c>primary_hello</c> could not be answered, or the server refused our
/// <c>companion_finish</c> (docs/whatsapp.md §9). A new code can be requested on the same connection
/// while its refs last.
/// </summary>
public sealed record PairingCodeFailed(PairingCodeError Error, string Message) : WaEvent;
