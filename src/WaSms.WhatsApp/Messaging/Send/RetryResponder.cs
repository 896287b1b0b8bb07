using System.Globalization;
using Microsoft.Extensions.Logging;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Messaging.Send;

/// <summary>
/// Answers a retry receipt for a message we sent (docs/protocol/messaging.md §8, "receiving one"): the job
/// by id, a bounded number of answers per (device, id), a new session from the receipt's <c>&lt;keys&gt;</c> or,
/// without them, from a fetched bundle when there is no session, the device's registration id changed
/// (Baileys) or from the second retry on when the session was not recreated in the last hour (whatsmeow);
/// then the message re-encrypted for that device only — device-sent copy for our own devices, with a
/// sender-key distribution added for groups — committed, and resent with <c>count</c> (and
/// <c>device_fanout="false"</c> for 1:1) under the same id, as whatsmeow builds it.
/// </summary>
internal sealed class RetryResponder
{
    /// <summary>Recreation times remembered at most.</summary>
    private const int MaxTracked = 4096;

    /// <summary>
    /// Resends answered at once: each may fetch a bundle and encrypts under the Signal lock, so a burst of
    /// retry receipts (a group of many devices, a peer that lost its sessions) must not start one query and
    /// one encryption per receipt at the same time on a 2-core board. The rest wait their turn.
    /// </summary>
    public const int MaxConcurrentResends = 4;

    /// <summary>Receipts waiting for a turn at most; one more is dropped with a warning (its device asks again, up to its own bound).</summary>
    public const int MaxQueuedResends = 64;

    private static readonly TimeSpan RecreateInterval = TimeSpan.FromHours(1);

    private readonly SendContext _context;
    private readonly IMessageStore _messages;
    private readonly SendOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<(Jid Device, string Id), int> _answered = [];
    private readonly Dictionary<Jid, DateTimeOffset> _recreated = [];
    private int _admitted;

    /// <summary>The turns of <see cref="MaxConcurrentResends"/>; never disposed (no wait handle is ever made), like the Signal state lock.</summary>
    private SemaphoreSlim Turns { get; } = new(MaxConcurrentResends, MaxConcurrentResends);

    public RetryResponder(SendContext context, IMessageStore messages, SendOptions options, TimeProvider time)
    {
        _context = context;
        _messages = messages;
        _options = options;
        _time = time;
    }

    /// <summary>Answers <paramref name="retry"/> once one of <see cref="MaxConcurrentResends"/> turns is free; over <see cref="MaxQueuedResends"/> waiting, not at all.</summary>
    /// <returns>The resend stanza, written already; null when the receipt was not answered (unknown id, over a bound, no session).</returns>
    public async Task<Node?> AnswerAsync(IStanzaChannel channel, OwnDevice own, RetryReceiptReceived retry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(retry);
        if (Interlocked.Increment(ref _admitted) > MaxConcurrentResends + MaxQueuedResends)
        {
            Interlocked.Decrement(ref _admitted);
            _context.Logger.LogWarning("Retry receipt from {Device} for {Id} dropped: {Max} resends are waiting already.", retry.Device, retry.MessageId, MaxQueuedResends);
            return null;
        }

        try
        {
            await Turns.WaitAsync(cancellationToken);
            try
            {
                return await AnswerNowAsync(channel, own, retry, cancellationToken);
            }
            finally
            {
                Turns.Release();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _admitted);
        }
    }

    private async Task<Node?> AnswerNowAsync(IStanzaChannel channel, OwnDevice own, RetryReceiptReceived retry, CancellationToken cancellationToken)
    {
        var job = await _messages.GetOutboundAsync(retry.MessageId, cancellationToken);
        if (job is null || !Jid.TryParse(job.To, out var chat))
        {
            _context.Logger.LogInformation("Retry receipt for unknown message {Id} ignored.", retry.MessageId);
            return null;
        }

        var device = retry.Device;
        if (!CountAnswer(device, retry.MessageId))
        {
            _context.Logger.LogWarning("Retry receipt {Count} from {Device} for {Id} ignored: answered {Max} times already.", retry.Count, device, retry.MessageId, _options.MaxRetryResends);
            return null;
        }

        // The session decision and any bundle query first, with no lock held.
        var changes = new SignalChanges();
        var target = await DeviceTarget.ForAsync(device, [], changes, _context.Signal, cancellationToken);
        var encryptor = _context.Encryptor(own);
        IReadOnlyDictionary<Jid, PreKeyBundle> bundles = new Dictionary<Jid, PreKeyBundle>();
        var fresh = true;
        if (retry.Bundle is { } bundle)
        {
            bundles = new Dictionary<Jid, PreKeyBundle> { [target.KeyJid] = bundle };
        }
        else if (await ShouldRecreateAsync(encryptor, target, retry, changes, cancellationToken))
        {
            bundles = await encryptor.FetchBundlesAsync(channel, [target], changes, freshSession: true, cancellationToken);
        }
        else
        {
            fresh = false;
        }

        if (bundles.Count > 0)
        {
            MarkRecreated(device);
        }

        await _context.SignalLock.WaitAsync(cancellationToken);
        try
        {
            var isGroup = chat.Server == JidServer.Group;
            var message = OutgoingMessage.Text(job.Text);
            if (isGroup)
            {
                message.SenderKeyDistributionMessage = await SenderKeyDistributionAsync(own, chat, changes, cancellationToken);
            }
            else if (own.IsOwnUser(device))
            {
                message = OutgoingMessage.DeviceSent(retry.Recipient ?? chat, message);
            }

            var fanout = await encryptor.EncryptAsync([target with { Message = OutgoingMessage.Bytes(message) }], bundles, changes, fresh, cancellationToken);
            if (fanout.Nodes is not [var to])
            {
                _context.Logger.LogWarning("Retry receipt from {Device} for {Id} not answered: no session.", device, retry.MessageId);
                return null;
            }

            var stanza = BuildResend(own, retry, to.Children[0], fanout.AnyPreKeyMessage, isGroup);
            try
            {
                await _messages.CommitSendAttemptAsync(changes, job.MessageId, cancellationToken);
            }
            catch (SendJobClosedException)
            {
                _context.Logger.LogWarning("Retry receipt from {Device} for {Id} not answered: the job has failed.", device, retry.MessageId);
                return null;
            }
            await channel.WriteAsync(stanza, cancellationToken);
            return stanza;
        }
        finally
        {
            _context.SignalLock.Release();
        }
    }

    private async Task<Proto.E2E.SenderKeyDistributionMessage?> SenderKeyDistributionAsync(OwnDevice own, Jid group, SignalChanges changes, CancellationToken cancellationToken)
    {
        foreach (var sender in own.Lid is null ? [own.Pn] : new[] { own.Lid, own.Pn })
        {
            var address = SignalAddress.FromJid(sender);
            if (await _context.Signal.LoadSenderKeyAsync(group.ToString(), address, cancellationToken) is not { } stored)
            {
                continue;
            }

            var record = SenderKeyRecord.Deserialize(stored);
            var distribution = GroupSessionBuilder.CreateDistribution(record);
            changes.SenderKeys[(group.ToString(), address)] = record.Serialize();
            return OutgoingMessage.SenderKeyDistribution(group, distribution).SenderKeyDistributionMessage;
        }

        return null;
    }

    private async Task<bool> ShouldRecreateAsync(PairwiseEncryptor encryptor, DeviceTarget target, RetryReceiptReceived retry, SignalChanges changes, CancellationToken cancellationToken)
    {
        var records = await encryptor.LoadAsync([target], changes, cancellationToken);
        if (!records.TryGetValue(target.Address, out var record) || !record.HasOpenSession)
        {
            return true;
        }

        if (record.RemoteRegistrationId is { } registration && registration != retry.RegistrationId)
        {
            return true;
        }

        lock (_gate)
        {
            return retry.Count >= 2 && (!_recreated.TryGetValue(retry.Device, out var last) || _time.GetUtcNow() - last > RecreateInterval);
        }
    }

    private static Node BuildResend(OwnDevice own, RetryReceiptReceived retry, Node enc, bool includeIdentity, bool isGroup)
    {
        var counted = NodeHelpers.MakeBytes(
            "enc",
            [("v", "2"), ("type", enc.Attr("type") ?? "msg"), ("count", retry.Count.ToString(CultureInfo.InvariantCulture))],
            enc.Content.Bytes.Span);
        var attributes = new List<(string, AttrValue)> { ("id", retry.MessageId), ("to", retry.From), ("type", "text") };
        if (retry.Timestamp is { } t)
        {
            attributes.Add(("t", t.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        }

        if (!isGroup)
        {
            attributes.Add(("device_fanout", "false"));
        }

        if (retry.Participant is { } participant)
        {
            attributes.Add(("participant", participant));
        }

        if (retry.Recipient is { } recipient)
        {
            attributes.Add(("recipient", recipient));
        }

        return includeIdentity
            ? NodeHelpers.Make("message", [.. attributes], counted, own.DeviceIdentityNode())
            : NodeHelpers.Make("message", [.. attributes], counted);
    }

    private bool CountAnswer(Jid device, string id)
    {
        lock (_gate)
        {
            if (_answered.Count >= MaxTracked)
            {
                _answered.Clear();
            }

            var count = _answered.GetValueOrDefault((device, id)) + 1;
            _answered[(device, id)] = count;
            return count <= _options.MaxRetryResends;
        }
    }

    private void MarkRecreated(Jid device)
    {
        lock (_gate)
        {
            if (_recreated.Count >= MaxTracked)
            {
                _recreated.Clear();
            }

            _recreated[device] = _time.GetUtcNow();
        }
    }
}
