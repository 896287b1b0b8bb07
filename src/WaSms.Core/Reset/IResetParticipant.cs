namespace WaSms.Core.Reset;

/// <summary>
/// Anything that holds data a reset would destroy: queues, credentials, the WhatsApp session.
/// The reset path asks every participant to flush first and only wipes when nothing would be
/// lost, or when the customer confirmed the loss.
/// </summary>
public interface IResetParticipant
{
    /// <summary>Short name for logs and the screen ("outbox", "whatsapp session").</summary>
    string Name { get; }

    /// <summary>Delivers what can still be delivered.</summary>
    /// <returns>How many items remain that could not be delivered.</returns>
    Task<int> FlushAsync(ResetKind kind, CancellationToken cancellationToken);

    /// <summary>Forgets what a reset of <paramref name="kind"/> must forget.</summary>
    Task WipeAsync(ResetKind kind, CancellationToken cancellationToken);

    /// <summary>
    /// Starts again once every participant has wiped: a participant that restarted straight from
    /// its own wipe could read data a later participant has not wiped yet.
    /// </summary>
    Task ResumeAsync(ResetKind kind, CancellationToken cancellationToken);
}
