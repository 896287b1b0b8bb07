namespace WaSms.Core.Reset;

/// <summary>How a reset request ended.</summary>
/// <param name="Completed">True when the reset wiped what it had to.</param>
/// <param name="Undelivered">Items that could not be flushed; when non-zero and not completed, a second request within the confirmation window discards them.</param>
/// <param name="Message">What to tell the customer.</param>
public sealed record ResetOutcome(bool Completed, int Undelivered, string Message);
