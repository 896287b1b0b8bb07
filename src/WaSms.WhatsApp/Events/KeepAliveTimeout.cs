namespace WaSms.WhatsApp.Events;

/// <summary>
/// A keepalive ping got no answer within 10 s (docs/whatsapp.md §5.1; whatsmeow keepalive.go).
/// <paramref name="ErrorCount"/> counts consecutive misses; after 3 minutes without an answer the
/// client drops the connection (<see cref="Disconnected"/> with a <see cref="TimeoutException"/>).
/// </summary>
public sealed record KeepAliveTimeout(int ErrorCount, DateTimeOffset LastSuccess) : WaEvent;
