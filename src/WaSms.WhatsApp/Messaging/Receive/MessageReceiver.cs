using Microsoft.Extensions.Logging;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Proto.E2E;
using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Messaging.Receive;

/// <summary>
/// Handles an inbound <c>&lt;message&gt;</c> (docs/protocol/messaging.md §2–§3, §8): decrypt, classify,
/// commit the Signal changes and the message in one transaction, and only then the delivery receipt
/// and <see cref="MessageReceived"/> — so a crash before the commit means the server delivers it
/// again, and a crash after it means a duplicate that is receipted and not stored twice.
/// </summary>
internal sealed class MessageReceiver(ReceiveContext context)
{
    /// <summary>
    /// Retry receipts stop here: the 5th failed decrypt of a message stores it as undecryptable and
    /// receipts it instead (§8: whatsmeow sends retry counts 1–4 and none from 5, Baileys' limit is 5).
    /// </summary>
    public const int MaxDecryptAttempts = 5;

    public async Task HandleAsync(Node node, CancellationToken cancellationToken)
    {
        var credentials = context.Credentials();
        if (!MessageStanza.TryParse(node, out var stanza, out var problem) || !credentials.IsPaired)
        {
            context.Logger.LogWarning("Inbound message {Id} not handled: {Problem}", node.Attr("id"), problem ?? "not paired");
            await context.Send(StanzaAck.For(node, StanzaAck.ParsingError), cancellationToken);
            return;
        }

        var changes = new SignalChanges();
        LidPairs.Collect(node, changes.LidMappings);
        var sender = await UserIdentity.ResolveAsync(stanza.SenderDevice, changes.LidMappings, context.Signal, cancellationToken);
        var fromMe = sender.IsUser(credentials.Jid, credentials.Lid);
        var chat = await ChatOfAsync(stanza, sender, fromMe, stanza.Recipient, changes, cancellationToken);
        var senderUser = fromMe ? UserIdentity.ToUser(credentials.Jid!) : sender.DisplayUser;
        var row = new InboundMessage(stanza.Id, chat.ToString(), senderUser.ToString(), sender.AlternateUser?.ToString(), stanza.Timestamp,
            InboundMessage.Undecryptable, null, fromMe, stanza.PushName, null, null);

        if (stanza.Parts.Count == 0)
        {
            await HandleWithoutCiphertextAsync(stanza, row, changes, cancellationToken);
            return;
        }

        if (await context.Messages.HasInboundAsync(row.Chat, row.Sender, row.Id, cancellationToken))
        {
            // A redelivery of a message already stored: the receipt was lost, send it again (§10).
            await CommitSignalAsync(changes, cancellationToken);
            await context.Send(ReceiptNodes.Delivery(stanza, fromMe), cancellationToken);
            return;
        }

        var results = await new InboundDecryptor(context.Signal, context.PreKeys, credentials, changes).DecryptAsync(stanza, sender, cancellationToken);
        var failed = results.FirstOrDefault(r => r.Outcome == PartOutcome.Failed);
        var decrypted = results.Where(r => r.Outcome == PartOutcome.Decrypted).ToList();
        var content = decrypted.Select(r => (Result: r, Kind: ContentClassifier.Classify(r.Message!))).FirstOrDefault(c => c.Kind is not null);
        if (failed is not null && content.Result is null)
        {
            await HandleDecryptFailureAsync(stanza, row, changes, failed, credentials, cancellationToken);
            return;
        }

        if (content.Result is null && results.FirstOrDefault(r => r.Outcome == PartOutcome.BadPlaintext) is { } bad)
        {
            // The ratchet already moved on, so a retry cannot help: keep the changes, store the failure, nack 491 (whatsmeow).
            await CommitAsync(stanza, row with { Error = bad.Error }, changes, null, cancellationToken);
            return;
        }

        if (content.Result is null)
        {
            await FinishWithoutContentAsync(stanza, fromMe, changes, decrypted.Count, results, cancellationToken);
            return;
        }

        var message = content.Result.Message!;
        if (fromMe && message.DeviceSentMessage is { HasDestinationJid: true } dsm && Jid.TryParse(dsm.DestinationJid, out var destination))
        {
            chat = await ChatOfAsync(stanza, sender, fromMe, destination, changes, cancellationToken);
        }

        var (type, text) = content.Kind!.Value;
        if (type == "protocol")
        {
            context.Logger.LogDebug("Protocol message {Id} ({Type}) stored as type protocol", stanza.Id, message.ProtocolMessage?.Type ?? default);
        }

        row = row with { Chat = chat.ToString(), Type = type, Text = text, Content = content.Result.Plaintext };
        if (failed is null)
        {
            await CommitAsync(stanza, row, changes, ReceiptNodes.Delivery(stanza, fromMe), cancellationToken);
            if (fromMe && message.ProtocolMessage?.HistorySyncNotification is { } history)
            {
                // §10b: acknowledged as whatsmeow and Baileys do; the blob itself is not downloaded.
                context.Logger.LogDebug("History-sync notification {Id} ({Type}) acknowledged, not downloaded", stanza.Id, history.SyncType);
                await context.Send(ReceiptNodes.HistorySync(stanza.Id, UserIdentity.ToUser(credentials.Jid!)), cancellationToken);
            }

            return;
        }

        // The content decrypted but another part did not (a group message whose pairwise SKDM part
        // failed): the content is kept and the failed part asked for again, as whatsmeow handles each
        // part on its own; the resend is then a duplicate by id and only receipted.
        await StoreAsync(row, changes, cancellationToken);
        await HandleDecryptFailureAsync(stanza, row, new SignalChanges(), failed, credentials, cancellationToken);
    }

    /// <summary>The chat without device: the group, else the other party (the stanza's <c>recipient</c> or the DSM's destination for our own copies), phone number first.</summary>
    private async Task<Jid> ChatOfAsync(MessageStanza stanza, UserIdentity sender, bool fromMe, Jid? destination, SignalChanges changes, CancellationToken cancellationToken)
    {
        if (stanza.IsGroup)
        {
            return stanza.From;
        }

        if (fromMe && destination is not null)
        {
            return (await UserIdentity.ResolveAsync(destination, changes.LidMappings, context.Signal, cancellationToken)).DisplayUser;
        }

        return sender.DisplayUser;
    }

    /// <summary>
    /// No <c>&lt;enc&gt;</c>: with <c>&lt;unavailable type&gt;</c> the server has no ciphertext for us —
    /// a placeholder is stored and acked (§2; asking the phone for a resend is not done);
    /// channel (newsletter) posts, which are not end-to-end encrypted, are acked and not stored; anything
    /// else is nacked 488 (§3 table).
    /// </summary>
    private async Task HandleWithoutCiphertextAsync(MessageStanza stanza, InboundMessage row, SignalChanges changes, CancellationToken cancellationToken)
    {
        if (stanza.Unavailable is null)
        {
            await CommitSignalAsync(changes, cancellationToken);
            var newsletter = stanza.From.Server == JidServer.Newsletter;
            await context.Send(StanzaAck.For(stanza.Node, newsletter ? null : StanzaAck.UnrecognizedStanza), cancellationToken);
            return;
        }

        await CommitAsync(stanza, row with { Error = "unavailable:" + stanza.Unavailable }, changes, StanzaAck.For(stanza.Node), cancellationToken);
    }

    /// <summary>
    /// A part failed in the Signal layer. What did decrypt is kept (its ratchet steps cannot be undone);
    /// below <see cref="MaxDecryptAttempts"/> a retry receipt and a plain ack go out (whatsmeow), at the
    /// bound the message is stored as undecryptable and receipted, so it never loops.
    /// </summary>
    private async Task HandleDecryptFailureAsync(MessageStanza stanza, InboundMessage row, SignalChanges changes, PartResult failed, WaCredentials credentials, CancellationToken cancellationToken)
    {
        context.Logger.LogWarning("Could not decrypt message {Id} from {Sender}: {Error}", stanza.Id, stanza.SenderDevice, failed.Error);
        await CommitSignalAsync(changes, cancellationToken);
        var count = await context.Messages.CountDecryptFailureAsync(stanza.SenderDevice.ToString(), stanza.Id, cancellationToken);
        if (count >= MaxDecryptAttempts)
        {
            await CommitAsync(stanza, row with { Error = failed.Error }, new SignalChanges(), ReceiptNodes.Delivery(stanza, row.FromMe), cancellationToken);
            return;
        }

        // Kept for the sweep: stored as undecryptable if no resend decrypts in time (UndecryptableSweeper).
        await context.Messages.RememberUndecryptedAsync(row with { Error = failed.Error }, cancellationToken);

        // §8: <keys> from the second retry on, or at once when a group message's sender key is missing and no pairwise part came with it.
        var missingSenderKey = failed.SignalError == SignalError.NoSenderKey && stanza.Parts.All(p => p.Type == "skmsg");
        PreKey? preKey = null;
        if (count >= 2 || missingSenderKey)
        {
            preKey = (await context.PreKeys.GetOrCreateUnuploadedAsync(1, cancellationToken))[0];
        }

        if (preKey is not null)
        {
            // The key goes to the sender directly; marked before it leaves so that no upload (running now,
            // or after a crash right after the receipt) offers it to a second sender (whatsmeow GenOnePreKey).
            await context.PreKeys.MarkUploadedAsync([preKey.Id], cancellationToken);
        }

        await context.Send(ReceiptNodes.Retry(stanza, count, credentials, preKey), cancellationToken);

        await context.Send(StanzaAck.For(stanza.Node), cancellationToken);
    }

    /// <summary>
    /// Decrypted parts without content: a bare sender-key distribution (its key is saved), or only
    /// duplicates of parts handled before. Either way the receipt goes out; nothing is stored as a message.
    /// </summary>
    private async Task FinishWithoutContentAsync(MessageStanza stanza, bool fromMe, SignalChanges changes, int decrypted, IReadOnlyList<PartResult> results, CancellationToken cancellationToken)
    {
        if (decrypted == 0 && results.All(r => r.Outcome == PartOutcome.Skipped))
        {
            await CommitSignalAsync(changes, cancellationToken);
            await context.Send(StanzaAck.For(stanza.Node, StanzaAck.UnrecognizedStanza), cancellationToken);
            return;
        }

        context.Logger.LogDebug("Message {Id} carried no content ({Decrypted} parts decrypted, the rest duplicates): receipt only", stanza.Id, decrypted);
        await CommitSignalAsync(changes, cancellationToken);
        await context.Send(ReceiptNodes.Delivery(stanza, fromMe), cancellationToken);
    }

    /// <summary>
    /// Commits <paramref name="changes"/> with <paramref name="row"/>, raises <see cref="MessageReceived"/> unless it
    /// was a duplicate, then sends <paramref name="answer"/> (a receipt or ack; a 491 nack when null).
    /// </summary>
    private async Task CommitAsync(MessageStanza stanza, InboundMessage row, SignalChanges changes, Node? answer, CancellationToken cancellationToken)
    {
        await StoreAsync(row, changes, cancellationToken);
        await context.Send(answer ?? StanzaAck.For(stanza.Node, StanzaAck.InvalidProtobuf), cancellationToken);
    }

    /// <summary>Commits <paramref name="row"/> with <paramref name="changes"/> and raises <see cref="MessageReceived"/> unless it was a duplicate.</summary>
    private async Task StoreAsync(InboundMessage row, SignalChanges changes, CancellationToken cancellationToken)
    {
        if (await context.Messages.CommitInboundAsync(changes, row, cancellationToken))
        {
            context.Raise(new MessageReceived(row));
        }
    }

    private Task CommitSignalAsync(SignalChanges changes, CancellationToken cancellationToken) =>
        changes.IsEmpty ? Task.CompletedTask : context.Signal.CommitAsync(changes, cancellationToken);
}
