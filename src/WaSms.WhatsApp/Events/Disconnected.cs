namespace WaSms.WhatsApp.Events;

/// <summary>The connection ended unexpectedly; <paramref name="Exception"/> says why (null when the server closed it cleanly).</summary>
public sealed record Disconnected(Exception? Exception) : WaEvent;
