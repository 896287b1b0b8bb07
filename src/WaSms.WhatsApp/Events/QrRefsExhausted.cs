namespace WaSms.WhatsApp.Events;

/// <summary>
/// Every QR ref the server sent has expired without a scan; the client disconnects, as whatsmeow
/// and Baileys do (docs/whatsapp.md §4.3). A new connection starts a new set.
/// </summary>
public sealed record QrRefsExhausted(int RefCount) : WaEvent;
