namespace WaSms.WhatsApp.Events;

/// <summary>
/// A <c>&lt;stream:error&gt;</c> other than the 515 restart: <paramref name="Code"/> is its code
/// attribute (0 when absent) and <paramref name="Conflict"/> the type of a <c>&lt;conflict&gt;</c>
/// child such as <c>replaced</c> (docs/whatsapp.md §6).
/// </summary>
public sealed record StreamError(int Code, string? Conflict) : WaEvent;
