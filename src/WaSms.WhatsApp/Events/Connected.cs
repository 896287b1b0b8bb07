using WaSms.WhatsApp.Binary;

namespace WaSms.WhatsApp.Events;

/// <summary>The server accepted the login with <c>&lt;success&gt;</c> (docs/whatsapp.md §5).</summary>
public sealed record Connected(Jid Jid, Jid? Lid) : WaEvent;
