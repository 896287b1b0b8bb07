namespace WaSms.WhatsApp.Events;

/// <summary>A keepalive ping was answered again after one or more <see cref="KeepAliveTimeout"/>s.</summary>
public sealed record KeepAliveRestored : WaEvent;
