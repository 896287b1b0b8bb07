namespace WaSms.WhatsApp.Events;

/// <summary>A <c>&lt;failure reason="N"&gt;</c> that is neither a logout nor "client outdated" (docs/whatsapp.md §6).</summary>
public sealed record ConnectFailure(int Reason, string? Message) : WaEvent;
