using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Events;

/// <summary>A message we sent moved forward (a receipt, a server ack), after the store saved it.</summary>
public sealed record MessageStatusChanged(StatusChange Change) : WaEvent;
