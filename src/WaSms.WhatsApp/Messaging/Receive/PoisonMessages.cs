using Microsoft.Extensions.Logging;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Messaging.Receive;

/// <summary>
/// A <c>&lt;message&gt;</c> whose handling throws every time (a bug, a message that trips one) would be
/// left without receipt and delivered again on every connection, for ever. Its failed handlings are
/// counted in the store, so across restarts too; at <see cref="MaxHandlerFailures"/> it is stored as
/// undecryptable with the exception's type as the reason (never its message, which could carry key
/// material) and receipted, like a message that failed to decrypt too often.
/// </summary>
internal sealed class PoisonMessages(ReceiveContext context)
{
    /// <summary>Failed handlings of one message before it is stored as undecryptable and receipted.</summary>
    public const int MaxHandlerFailures = 3;

    /// <summary>
    /// Counts a failed handling of <paramref name="node"/> (the decrypt-failure counter, under an id of
    /// its own so the two counts never mix) and gives up on the message at the bound.
    /// </summary>
    /// <returns>True when the message was stored and receipted.</returns>
    public async Task<bool> HandleFailureAsync(Node node, Exception error, CancellationToken cancellationToken)
    {
        if (!MessageStanza.TryParse(node, out var stanza, out _))
        {
            return false; // a stanza that does not parse is nacked by the receiver, never left open
        }

        if (IsTransient(error))
        {
            return false; // a busy or full store, a disk error: the message is fine, the server delivers it again
        }

        var count = await context.Messages.CountDecryptFailureAsync(stanza.SenderDevice.ToString(), "handler-error:" + stanza.Id, cancellationToken);
        if (count < MaxHandlerFailures)
        {
            return false;
        }

        var credentials = context.Credentials();
        var sender = new UserIdentity(stanza.SenderDevice, null, null);
        var fromMe = sender.IsUser(credentials.Jid, credentials.Lid);
        var row = new InboundMessage(stanza.Id, (stanza.IsGroup ? stanza.From : sender.DisplayUser).ToString(), sender.DisplayUser.ToString(), null,
            stanza.Timestamp, InboundMessage.Undecryptable, null, fromMe, stanza.PushName, null, "handler error: " + error.GetType().Name);
        if (await context.Messages.CommitInboundAsync(new SignalChanges(), row, cancellationToken))
        {
            context.Raise(new MessageReceived(row));
        }

        await context.Send(ReceiptNodes.Delivery(stanza, fromMe), cancellationToken);
        context.Logger.LogWarning("Message {Id} failed to be handled {Count} times; stored as undecryptable and receipted", stanza.Id, count);
        return true;
    }

    /// <summary>Store and I/O failures (SQLite's are <see cref="System.Data.Common.DbException"/>s) say nothing about the message.</summary>
    internal static bool IsTransient(Exception error) =>
        error is System.Data.Common.DbException or IOException or TimeoutException
        || (error.InnerException is { } inner && IsTransient(inner));
}
