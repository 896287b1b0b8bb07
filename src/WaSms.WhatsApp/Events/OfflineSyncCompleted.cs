namespace WaSms.WhatsApp.Events;

/// <summary>
/// The server's offline backlog ended (<c>&lt;ib&gt;&lt;offline count/&gt;&lt;/ib&gt;</c>, docs/protocol/messaging.md §10):
/// every stanza that came before it has been handled.
/// </summary>
/// <param name="Count">How many stanzas the backlog held, as the server counted them.</param>
public sealed record OfflineSyncCompleted(int Count) : WaEvent;
