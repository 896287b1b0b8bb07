using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Events;

/// <summary>A message reached the account and is stored (raised after <see cref="IMessageStore.CommitInboundAsync"/>, never for a duplicate).</summary>
public sealed record MessageReceived(InboundMessage Message) : WaEvent;
