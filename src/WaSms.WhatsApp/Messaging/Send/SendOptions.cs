namespace WaSms.WhatsApp.Messaging.Send;

/// <summary>How the client sends (docs/protocol/messaging.md §5, §6, §8); checked by <see cref="Validate"/> when the client is made.</summary>
public sealed class SendOptions
{
    /// <summary>How long a usync device list is trusted without a <c>devices</c> notification (Baileys: 5 min; whatsmeow: until told).</summary>
    public TimeSpan DeviceListLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long group metadata is trusted.</summary>
    public TimeSpan GroupMetadataLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long to wait for the server's ack of a <c>&lt;message&gt;</c> (whatsmeow: 75 s); without it the job stays pending for the next connection.</summary>
    public TimeSpan ServerAckDeadline { get; init; } = TimeSpan.FromSeconds(75);

    /// <summary>
    /// How long the outbox waits after login for the end of the offline backlog (<c>&lt;ib&gt;&lt;offline/&gt;</c>)
    /// before it sends anyway: a server need not send the marker when nothing was queued. The gateway
    /// calls itself online after the same wait, so "online" and "sending" start together.
    /// </summary>
    public TimeSpan OfflineSyncWait { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Resends answered per (device, message) for retry receipts (Baileys resends while below 5).</summary>
    public int MaxRetryResends { get; init; } = 5;

    /// <summary>The first hold of a chat whose job failed an attempt (query refused, no server ack): its backoff's first ceiling (docs/protocol/messaging.md §6.5).</summary>
    public TimeSpan HeldChatRetryFirst { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest hold: the backoff's ceiling stops doubling here.</summary>
    public TimeSpan HeldChatRetryMax { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A lifetime or deadline is not positive, or the retry bound is below 1.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(DeviceListLifetime, TimeSpan.Zero, nameof(DeviceListLifetime));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(GroupMetadataLifetime, TimeSpan.Zero, nameof(GroupMetadataLifetime));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ServerAckDeadline, TimeSpan.Zero, nameof(ServerAckDeadline));
        ArgumentOutOfRangeException.ThrowIfLessThan(OfflineSyncWait, TimeSpan.Zero, nameof(OfflineSyncWait));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRetryResends, 1, nameof(MaxRetryResends));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HeldChatRetryFirst, TimeSpan.Zero, nameof(HeldChatRetryFirst));
        ArgumentOutOfRangeException.ThrowIfLessThan(HeldChatRetryMax, HeldChatRetryFirst, nameof(HeldChatRetryMax));
    }
}
