using Microsoft.Extensions.Logging;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Socket;

namespace WaSms.WhatsApp.Messaging.Receive;

/// <summary>
/// Several <c>&lt;message&gt;</c> stanzas that were waiting together (an offline backlog), handled under
/// one hold of the Signal-state lock with one commit: each goes through <see cref="MessageReceiver"/>
/// exactly as alone, against a <see cref="BatchOverlay"/>; then every ratchet step, row and stream
/// event of the batch is saved in one transaction, and only then do their receipts, acks and retry
/// receipts leave, in order. The atomicity rule holds for the batch as for one message: a crash
/// before the commit loses only work no receipt was sent for, so the server delivers it again.
/// </summary>
internal sealed class MessageBatch(ReceiveContext context)
{
    /// <summary>Stanzas in one batch: 128 texts are ~100 KB of nodes and one WAL commit instead of 128.</summary>
    public const int MaxStanzas = 128;

    /// <summary>
    /// Handles <paramref name="nodes"/>; returns the stanzas whose handling threw (nothing of theirs
    /// saved or sent), for the caller to handle alone. When the commit fails nothing of the batch is
    /// saved or sent and every stanza is returned, handled again from the stored state.
    /// </summary>
    public async Task<IReadOnlyList<Node>> HandleAsync(IReadOnlyList<Node> nodes, CancellationToken cancellationToken)
    {
        var overlay = new BatchOverlay(context.Signal, context.Messages);
        var receiver = new MessageReceiver(context with { Signal = overlay, Messages = overlay, Send = overlay.SendAsync, Raise = overlay.Raise });
        var failed = new List<Node>();
        foreach (var node in nodes)
        {
            try
            {
                await receiver.HandleAsync(node, cancellationToken);
                overlay.Accept();
            }
            catch (Exception ex) when (ex is not (OperationCanceledException or WaSocketException))
            {
                overlay.Discard();
                failed.Add(node);
                context.Logger.LogWarning("Handling message {Id} in a batch failed ({Error}); it is handled again alone", node.Attr("id"), ex.GetType().Name);
            }
        }

        try
        {
            await overlay.CommitAsync(context.Send, context.Raise, cancellationToken);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or WaSocketException))
        {
            context.Logger.LogWarning("Committing a batch of {Count} messages failed ({Error}); each is handled again alone", nodes.Count, ex.GetType().Name);
            return nodes;
        }

        return failed;
    }
}
