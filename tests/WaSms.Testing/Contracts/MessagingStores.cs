using Microsoft.Extensions.Time.Testing;
using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;

namespace WaSms.Testing.Contracts;

/// <summary>The stores one messaging client uses, made together because a commit spans them.</summary>
public sealed record MessagingStores(ISignalStore Signal, IMessageStore Messages, IPreKeyStore PreKeys);

/// <summary>
/// The base of the Signal and message store suites: an implementation makes its <see cref="MessagingStores"/>
/// on <see cref="Time"/>, a clock two hours east of UTC so local days are not UTC days.
/// </summary>
public abstract class MessagingStoreContract : StoreContract<MessagingStores>
{
    /// <summary>10:00 local (08:00 UTC) on 2 December 2026.</summary>
    protected static readonly DateTimeOffset Start = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);

    protected static readonly SignalAddress Alice = new("15555550100", 0);
    protected static readonly SignalAddress AlicePhone = new("15555550100", 1);
    protected static readonly SignalAddress BobLid = new("98765_1", 3);

    protected MessagingStoreContract()
    {
        Time = new FakeTimeProvider(Start);
        Time.SetLocalTimeZone(TimeZoneInfo.CreateCustomTimeZone("test+2", TimeSpan.FromHours(2), "test+2", "test+2"));
    }

    protected FakeTimeProvider Time { get; }

    protected ISignalStore Signal => Store.Signal;

    protected IMessageStore Messages => Store.Messages;

    protected static CancellationToken None => CancellationToken.None;

    protected static SignalChanges SessionChange(SignalAddress address, params byte[] record)
    {
        var changes = new SignalChanges();
        changes.Sessions[address] = record;
        return changes;
    }

    protected static InboundMessage Text(string id, string text, string chat = "15555550100@s.whatsapp.net", string? sender = null, bool fromMe = false) =>
        new(id, chat, sender ?? chat, null, new DateTimeOffset(2026, 12, 2, 7, 59, 58, TimeSpan.Zero), "text", text, fromMe, "Alice", [0x0A, 0x02, 0x68, 0x69], null);

    protected async Task<byte[]?> SessionOf(SignalAddress address) =>
        (await Signal.LoadSessionsAsync([address], None)).GetValueOrDefault(address);
}
