using Microsoft.Extensions.Logging;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Messaging;
using WaSms.WhatsApp.Messaging.Receive;
using WaSms.WhatsApp.Socket;

namespace WaSms.WhatsApp.Client;

/// <summary>
/// Receiving messages (docs/protocol/messaging.md §2–§10): <c>message</c>, <c>receipt</c> and <c>ib</c>
/// stanzas and the messaging notifications go to the classes of Messaging/Receive, in the order the
/// inbound queue hands them over.
/// </summary>
internal sealed partial class Connection
{
    private ReceiveContext? _receiveContext;

    /// <summary>
    /// The send side's answer to a retry receipt (set in <see cref="RegisterHandlers"/>); it runs off the
    /// receive loop because a resend may wait for iqs (prekeys, devices) whose answers come through it.
    /// </summary>
    internal Func<RetryReceiptReceived, CancellationToken, Task>? OnRetryReceipt { get; set; }

    /// <summary>The device cache's reaction to a <c>devices</c> notification (set in <see cref="RegisterHandlers"/>).</summary>
    internal Func<DevicesChanged, CancellationToken, Task>? OnDevicesChanged { get; set; }

    private ReceiveContext ReceiveContext => _receiveContext ??= new ReceiveContext(
        _client.SignalStore,
        _client.MessageStore,
        _client.PreKeys,
        () => Credentials,
        SendAsync,
        RaiseFromReceive,
        Options.Time,
        Options.Logger);

    private Task HandleMessageAsync(Node message, CancellationToken cancellationToken) =>
        GuardAsync(
            message,
            () => UnderSignalStateLockAsync(() => new MessageReceiver(ReceiveContext).HandleAsync(message, cancellationToken), cancellationToken),
            error => new PoisonMessages(ReceiveContext).HandleFailureAsync(message, error, cancellationToken));

    /// <summary>
    /// A backlog of messages under one lock hold and one commit (<see cref="MessageBatch"/>); a message
    /// whose handling threw in the batch, or all of them when the commit failed, are handled alone after it.
    /// </summary>
    private async Task HandleMessageBatchAsync(IReadOnlyList<Node> messages, CancellationToken cancellationToken)
    {
        IReadOnlyList<Node> alone = messages;
        try
        {
            await UnderSignalStateLockAsync(async () => alone = await new MessageBatch(ReceiveContext).HandleAsync(messages, cancellationToken), cancellationToken);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or WaSocketException))
        {
            Options.Logger.LogError(ex, "Handling a batch of {Count} messages failed; each is handled alone", messages.Count);
        }

        foreach (var message in alone)
        {
            await HandleMessageAsync(message, cancellationToken);
        }
    }

    private Task HandleReceiptAsync(Node receipt, CancellationToken cancellationToken) =>
        GuardAsync(receipt, () => new ReceiptReceiver(ReceiveContext, DispatchRetryReceipt).HandleAsync(receipt, cancellationToken));

    private Task HandleIbAsync(Node ib, CancellationToken cancellationToken) =>
        GuardAsync(ib, () => ServerSignals.HandleIbAsync(ib, cancellationToken));

    /// <summary>Called by the notification handler after its ack: identity changes and device lists.</summary>
    private Task HandleMessagingNotificationAsync(Node notification, CancellationToken cancellationToken) =>
        Credentials.IsPaired
            ? GuardAsync(notification, () => UnderSignalStateLockAsync(() => ServerSignals.HandleNotificationAsync(notification, cancellationToken), cancellationToken))
            : Task.CompletedTask;

    /// <summary>
    /// A decrypt loads a session, steps its ratchet and commits it; a send to the same device does the
    /// same (under the same lock, Messaging/Send). Without the lock the two could each load the old
    /// record and the later commit would overwrite the other's step — the next message on the lost
    /// chain ends in "Bad MAC". The lock is never held across a server round trip, so holding it here
    /// cannot wait for the receive loop itself.
    /// </summary>
    private async Task UnderSignalStateLockAsync(Func<Task> handle, CancellationToken cancellationToken)
    {
        await _client.SignalStateLock.WaitAsync(cancellationToken);
        try
        {
            await handle();
        }
        finally
        {
            _client.SignalStateLock.Release();
        }
    }

    /// <summary>
    /// A failure in handling one stanza (a store error, a bug) is logged and the stanza left without
    /// receipt, so the server delivers it again on the next connection; the link and the later stanzas
    /// go on. A closed socket or cancellation ends the receive loop as before. <paramref name="giveUp"/>
    /// (messages: <see cref="PoisonMessages"/>) may answer it instead once it has failed too often.
    /// </summary>
    private async Task GuardAsync(Node node, Func<Task> handle, Func<Exception, Task<bool>>? giveUp = null)
    {
        try
        {
            await handle();
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or WaSocketException))
        {
            Options.Logger.LogError(ex, "Handling the <{Tag}> stanza {Id} failed; left unanswered for the server to deliver again", node.Tag, node.Attr("id"));
            if (giveUp is not null)
            {
                await GuardAsync(node, () => giveUp(ex));
            }
        }
    }

    private ServerSignals ServerSignals => new(ReceiveContext, e => OnDevicesChanged is { } handler ? handler(e, Closing) : Task.CompletedTask);

    /// <summary>
    /// <c>&lt;presence type="available" name/&gt;</c> after <c>active</c>, as both reference clients do before
    /// they send plain rather than <c>inactive</c> delivery receipts (docs/protocol/messaging.md §4). Skipped without a name.
    /// </summary>
    private async Task SendPresenceAvailableAsync(CancellationToken cancellationToken)
    {
        if ((Options.PushName ?? Credentials.BusinessName) is { Length: > 0 } name)
        {
            await SendAsync(NodeHelpers.Make("presence", ("name", name.Replace("@", string.Empty, StringComparison.Ordinal)), ("type", "available")), cancellationToken);
        }
    }

    private Task DispatchRetryReceipt(RetryReceiptReceived retry)
    {
        _client.Raise(retry);
        if (OnRetryReceipt is { } handler)
        {
            _background.Run("retry-resend", () => handler(retry, Closing));
        }

        return Task.CompletedTask;
    }
}
