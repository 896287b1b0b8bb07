using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Socket;

namespace WaSms.WhatsApp.Client;

/// <summary>The receive loop, the inbound queue and the handlers by tag (whatsmeow client.go <c>nodeHandlers</c>).</summary>
internal sealed partial class Connection
{
    private readonly Dictionary<string, Func<Node, CancellationToken, Task>> _handlers = new(StringComparer.Ordinal);

    /// <summary>
    /// The handler table. A concern adds its tags here (messages, receipts and usync will add
    /// <c>message</c>, <c>receipt</c>, …); a tag without a handler is ignored, as before.
    /// </summary>
    private void RegisterHandlers()
    {
        _handlers["iq"] = HandleIqAsync;
        _handlers["success"] = HandleSuccessAsync;
        _handlers["failure"] = HandleFailureAsync;
        _handlers["stream:error"] = HandleStreamErrorAsync;
        _handlers["notification"] = HandleNotificationAsync;
        _handlers["xmlstreamend"] = HandleStreamEndAsync;
        _handlers["message"] = HandleMessageAsync;
        _handlers["receipt"] = HandleReceiptAsync;
        _handlers["ib"] = HandleIbAsync;
        RegisterSendHandlers();
    }

    /// <summary>
    /// Reads frames into an <see cref="InboundQueue"/> while the handlers take them in order, until a
    /// handler sets the outcome or the socket fails; a receive or decode error reaches the caller after
    /// the nodes received before it were handled, as when one loop did both.
    /// </summary>
    private async Task ReceiveAndHandleAsync(NoiseSocket socket, CancellationToken cancellationToken)
    {
        var queue = new InboundQueue(Options.Time, Options.Logger);
        using var receiveCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var receiving = ReceiveAsync(socket, queue, receiveCancel.Token);
        try
        {
            await queue.HandleAllAsync(HandleAsync, HandleMessageBatchAsync, () => Outcome != ConnectionOutcome.None, cancellationToken);
        }
        finally
        {
            // The loop may be waiting for a frame or for room in the queue; it ends on this.
            await receiveCancel.CancelAsync();
            await receiving;
        }
    }

    /// <summary>The receive loop: never throws; how it ended goes into the queue after the last node.</summary>
    private async Task ReceiveAsync(NoiseSocket socket, InboundQueue queue, CancellationToken cancellationToken)
    {
        try
        {
            while (Outcome == ConnectionOutcome.None)
            {
                var frame = await socket.ReceiveFrameAsync(cancellationToken);
                await queue.EnqueueAsync(NodeDecoder.DecodeFrame(frame), frame.Length, cancellationToken);
            }

            queue.Complete();
        }
        catch (Exception ex)
        {
            queue.Complete(ex);
        }
    }

    private Task HandleAsync(Node node, CancellationToken cancellationToken) =>
        _handlers.TryGetValue(node.Tag, out var handler) ? handler(node, cancellationToken) : Task.CompletedTask;

    private Task HandleStreamEndAsync(Node node, CancellationToken cancellationToken)
    {
        _client.Raise(new Disconnected(null));
        Outcome = ConnectionOutcome.Ended;
        return Task.CompletedTask;
    }
}
