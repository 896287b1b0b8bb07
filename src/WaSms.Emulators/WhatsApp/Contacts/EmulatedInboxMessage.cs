namespace WaSms.Emulators.WhatsApp.Contacts;

/// <summary>A text an emulated phone received and decrypted.</summary>
/// <param name="Id">The message id.</param>
/// <param name="Chat">The chat: <c>+E164</c> for 1:1, the group JID for groups.</param>
/// <param name="From">Who sent it, <c>+E164</c>.</param>
/// <param name="Text">The text.</param>
/// <param name="At">When the phone received it (the emulator's clock).</param>
public sealed record EmulatedInboxMessage(string Id, string Chat, string From, string Text, DateTimeOffset At);

/// <summary>A group on the emulator.</summary>
/// <param name="Jid">The group JID (<c>…@g.us</c>).</param>
/// <param name="Subject">Its subject.</param>
/// <param name="Members">The members' numbers, <c>+E164</c>.</param>
public sealed record EmulatedGroupInfo(string Jid, string Subject, IReadOnlyList<string> Members);
