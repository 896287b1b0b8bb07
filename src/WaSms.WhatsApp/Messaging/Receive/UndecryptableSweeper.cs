using System.Globalization;
using Microsoft.Extensions.Logging;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Messaging.Receive;

/// <summary>
/// Stores a message that failed to decrypt as <c>undecryptable</c> once its sender has not resent it
/// within <see cref="Wait"/> of the first failure: the retry receipt is only a request, and a sender that
/// never answers (offline for good, uninstalled, an old client) would otherwise leave the message
/// unstored forever — only the 5th failure stores it (<see cref="MessageReceiver.MaxDecryptAttempts"/>).
/// Runs while connected (a resend can only arrive then); one sweep per <see cref="Interval"/>. A sweep
/// holds <paramref name="signalStateLock"/>, the lock the receive path decrypts and commits under, so a
/// placeholder and the resend that replaces it are stored, and their events raised, one after the other.
/// docs/protocol/messaging.md §10a.
/// </summary>
internal sealed class UndecryptableSweeper(IMessageStore messages, SemaphoreSlim signalStateLock, Action<WaEvent> raise, TimeSpan wait, TimeProvider time, ILogger logger)
{
    /// <summary>
    /// The default wait: a resend comes within seconds (whatsmeow asks the phone after 5 s without one,
    /// Baileys forgets its retry counts after 1 h), so 10 minutes leaves room for a slow sender and
    /// still hands the message to the API long before anyone gives up on it.
    /// </summary>
    public static readonly TimeSpan DefaultWait = TimeSpan.FromMinutes(10);

    /// <summary>How long after the first failure a message without resend is stored.</summary>
    public TimeSpan Wait { get; } = wait > TimeSpan.Zero ? wait : throw new ArgumentOutOfRangeException(nameof(wait), wait, "must be positive");

    /// <summary>Time between sweeps: a tenth of the wait, between 1 s and 1 min.</summary>
    public TimeSpan Interval => TimeSpan.FromTicks(Math.Clamp(Wait.Ticks / 10, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));

    /// <summary>The reason an overdue message is stored with.</summary>
    public string Reason => $"no resend from the sender within {Wait.TotalMinutes.ToString("0.##", CultureInfo.InvariantCulture)} min";

    /// <summary>Sweeps until <paramref name="cancellationToken"/> (the connection) ends; a store error is logged and the next sweep tries again.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await SweepAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning("Storing undecryptable messages failed; trying again in {Interval}: {Error}", Interval, ex.Message);
            }
            await Task.Delay(Interval, time, cancellationToken);
        }
    }

    /// <summary>Stores the overdue messages and raises <see cref="MessageReceived"/> for each; returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        await signalStateLock.WaitAsync(cancellationToken);
        try
        {
            var stored = await messages.StoreUndecryptedAsync(time.GetUtcNow() - Wait, Reason, cancellationToken);
            foreach (var message in stored)
            {
                logger.LogWarning("Message {Id} from {Sender} stored as undecryptable: {Reason}", message.Id, message.Sender, message.Error);
                raise(new MessageReceived(message));
            }
            return stored.Count;
        }
        finally
        {
            signalStateLock.Release();
        }
    }
}
