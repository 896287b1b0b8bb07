using WaSms.WhatsApp.Binary;

namespace WaSms.WhatsApp.Events;

/// <summary>
/// The phone linked this device: the credentials are saved and the client is about to follow the
/// server's 515 restart into login (docs/whatsapp.md §4.4).
/// </summary>
public sealed record PairSuccess(Jid Jid, Jid? Lid, string? Platform, string? BusinessName) : WaEvent;
