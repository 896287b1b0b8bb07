namespace WaSms.WhatsApp.Events;

/// <summary>The server refused the login with failure 405: the client version triple is too old (docs/whatsapp.md §6).</summary>
public sealed record ClientOutdated(string? Location) : WaEvent;
