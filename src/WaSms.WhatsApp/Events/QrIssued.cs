namespace WaSms.WhatsApp.Events;

/// <summary>
/// A QR code to show now, replacing any earlier one. <paramref name="RefNumber"/> counts from 1 up
/// to <paramref name="RefCount"/>, the refs the server sent (docs/whatsapp.md §4.2, §4.3).
/// </summary>
public sealed record QrIssued(string Code, TimeSpan ValidFor, int RefNumber, int RefCount) : WaEvent;
