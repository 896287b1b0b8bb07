using Microsoft.Extensions.Logging;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Messaging;
using WaSms.WhatsApp.Messaging.Groups;
using WaSms.WhatsApp.Messaging.Send;
using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Client;

/// <summary>
/// Sending (docs/protocol/messaging.md §5–§8, §11): the server's message acks, the outbox started after
/// login and the offline backlog, retry-receipt answers and device-list invalidation, and the
/// connection as the <see cref="IStanzaChannel"/> of Messaging/Send.
/// </summary>
internal sealed partial class Connection : IStanzaChannel
{
    /// <summary>Messages written and waiting for the server's <c>&lt;ack class="message" id&gt;</c> (whatsmeow waits on the id as for an iq).</summary>
    private readonly PendingIqs _pendingAcks = new();
    private readonly TaskCompletionSource _offlineSynced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Outbox? _outbox;

    private SendServices Sending => _client.Sending;

    /// <summary>A job was enqueued; the outbox looks again (nothing before it runs: it starts by draining).</summary>
    public void WakeOutbox() => _outbox?.Wake();

    /// <summary>Every group the account is in (<c>w:g2</c> <c>participating</c>); LID pairs of the members are stored.</summary>
    public async Task<IReadOnlyList<GroupInfo>> GetJoinedGroupsAsync(CancellationToken cancellationToken)
    {
        if (!_loggedIn)
        {
            throw new InvalidOperationException("The client is not logged in.");
        }

        var learned = new SignalChanges();
        var groups = await Sending.Context.Groups.GetJoinedAsync(this, learned, cancellationToken);
        if (!learned.IsEmpty)
        {
            await _client.SignalStore.CommitAsync(learned, cancellationToken);
        }

        return [.. groups.Select(g => g.ToInfo())];
    }

    Task<Node> IStanzaChannel.QueryAsync(Jid to, string xmlns, string type, Node child, CancellationToken cancellationToken) =>
        SendIqAsync(xmlns, type, [child], TimeSpan.FromSeconds(20), cancellationToken, to);

    async Task<Task<Node?>> IStanzaChannel.WriteMessageAsync(Node message, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var id = message.Attr("id") ?? throw new ArgumentException("A message stanza needs an id.", nameof(message));
        var ack = _pendingAcks.Add(id);
        try
        {
            await SendAsync(message, cancellationToken);
        }
        catch
        {
            _pendingAcks.Remove(id);
            throw;
        }

        return WaitForAckAsync(id, ack, deadline, cancellationToken);
    }

    ValueTask IStanzaChannel.WriteAsync(Node node, CancellationToken cancellationToken) => SendAsync(node, cancellationToken);

    string IStanzaChannel.NextId() => _client.NextId();

    private async Task<Node?> WaitForAckAsync(string id, Task<Node> ack, TimeSpan deadline, CancellationToken cancellationToken)
    {
        try
        {
            return await ack.WaitAsync(deadline, Options.Time, cancellationToken);
        }
        catch (TimeoutException)
        {
            return null;
        }
        finally
        {
            _pendingAcks.Remove(id);
        }
    }

    /// <summary>The send side's handlers (called from <see cref="RegisterHandlers"/>).</summary>
    private void RegisterSendHandlers()
    {
        _handlers["ack"] = HandleAckAsync;
        OnRetryReceipt = AnswerRetryReceiptAsync;
        OnDevicesChanged = InvalidateDevicesAsync;
    }

    /// <summary>What the receive side raises passes here first: the end of the offline backlog lets the outbox start.</summary>
    private void RaiseFromReceive(WaEvent e)
    {
        if (e is OfflineSyncCompleted)
        {
            _offlineSynced.TrySetResult();
        }

        _client.Raise(e);
    }

    /// <summary>After the login steps: the outbox, once the offline backlog is through (or the wait for its marker is over), and the undecryptable sweep.</summary>
    private void StartOutbox()
    {
        var outbox = new Outbox(Sending.Sender, _client.MessageStore, _client.Raise, Options.Logger, Options.SendGate, Options.Time, Sending.Options);
        _outbox = outbox;
        _background.Run("outbox", () => RunOutboxAsync(outbox, Closing));
        var sweeper = new Messaging.Receive.UndecryptableSweeper(_client.MessageStore, _client.SignalStateLock, _client.Raise, Options.UndecryptableAfter, Options.Time, Options.Logger);
        _background.Run("undecryptable-sweep", () => sweeper.RunAsync(Closing));
    }

    private async Task RunOutboxAsync(Outbox outbox, CancellationToken cancellationToken)
    {
        try
        {
            await _offlineSynced.Task.WaitAsync(Sending.Options.OfflineSyncWait, Options.Time, cancellationToken);
        }
        catch (TimeoutException)
        {
            // No marker: the server had nothing queued for us, or does not send it.
        }

        await outbox.RunAsync(this, OwnDevice.From(Credentials), cancellationToken);
    }

    private Task HandleAckAsync(Node ack, CancellationToken cancellationToken)
    {
        // Other acks (a retry resend's, a late one) have nobody waiting and are dropped.
        if (ack.Attr("class") == "message" && ack.Attr("id") is { } id)
        {
            _pendingAcks.Complete(id, ack);
        }

        return Task.CompletedTask;
    }

    private async Task AnswerRetryReceiptAsync(RetryReceiptReceived retry, CancellationToken cancellationToken)
    {
        if (!Credentials.IsPaired)
        {
            return;
        }

        try
        {
            await Sending.Retries.AnswerAsync(this, OwnDevice.From(Credentials), retry, cancellationToken);
        }
        catch (Exception ex) when (ex is WaProtocolException or SignalException or TimeoutException)
        {
            Options.Logger.LogWarning("The retry receipt for {Id} from {Device} was not answered: {Reason}", retry.MessageId, retry.Device, ex.Message);
        }
    }

    private Task InvalidateDevicesAsync(DevicesChanged change, CancellationToken cancellationToken)
    {
        Sending.Context.Devices.Cache.Invalidate(change.User);
        if (change.Lid is { } lid)
        {
            Sending.Context.Devices.Cache.Invalidate(lid);
        }

        return Task.CompletedTask;
    }
}
