namespace WaSms.WhatsApp.Events;

/// <summary>
/// The server says this device is no longer linked (failure 401/403/406, or stream:error 401
/// device_removed); the credentials are no good any more (docs/whatsapp.md §6).
/// </summary>
public sealed record LoggedOut(int Reason, string? Detail) : WaEvent;
