namespace WaSms.WhatsApp.Events;

/// <summary>
/// A step after <c>success</c> failed (the prekey count or upload, passive/active); the connection
/// stays up, as in both reference clients, and the step runs again on the next login.
/// </summary>
/// <param name="Step">"prekeys" or "passive".</param>
/// <param name="Message">What went wrong.</param>
public sealed record LoginStepFailed(string Step, string Message) : WaEvent;
