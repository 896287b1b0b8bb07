namespace WaSms.Gateway.Configuration;

/// <summary>The <c>Messaging</c> configuration section: how long messages are kept and waited for.</summary>
public sealed class MessagingOptions
{
    /// <summary>
    /// Days an acknowledged stream event (and the received message or finished send it carries) is kept
    /// before the daily clean-up deletes it; events no consumer has acknowledged are never deleted.
    /// </summary>
    public int RetentionDays { get; set; } = 30;

    /// <summary>Minutes after its first failed decrypt that a message its sender did not resend is stored as undecryptable.</summary>
    public int UndecryptableAfterMinutes { get; set; } = 10;

    public IEnumerable<(string Key, string Problem)> Validate()
    {
        if (RetentionDays is < 1 or > 3650)
        {
            yield return ("Messaging:RetentionDays", "must be between 1 and 3650 days");
        }
        if (UndecryptableAfterMinutes is < 1 or > 1440)
        {
            yield return ("Messaging:UndecryptableAfterMinutes", "must be between 1 and 1440 minutes");
        }
    }
}
