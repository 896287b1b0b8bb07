namespace WaSms.Core.Requests;

/// <summary>
/// What the customer asked for without a reset: "try again" (a short button press, later the
/// platform's "reconnect"). Producers and consumers meet here, so neither depends on the other.
/// </summary>
public sealed class UserRequests
{
    /// <summary>Raised when the customer asks to start again (a new QR, a reconnect after being replaced).</summary>
    public event EventHandler? RetryRequested;

    public void RequestRetry() => RetryRequested?.Invoke(this, EventArgs.Empty);
}
