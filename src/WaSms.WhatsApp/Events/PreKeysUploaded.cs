namespace WaSms.WhatsApp.Events;

/// <summary>The server had fewer than 5 one-time prekeys; <paramref name="Count"/> more were uploaded (docs/whatsapp.md §6.2).</summary>
/// <param name="Count">How many were uploaded.</param>
/// <param name="ServerHad">How many the server said it had.</param>
public sealed record PreKeysUploaded(int Count, int ServerHad) : WaEvent;
