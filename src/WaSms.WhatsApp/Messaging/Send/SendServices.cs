using Microsoft.Extensions.Logging;
using WaSms.WhatsApp.Messaging.Groups;
using WaSms.WhatsApp.Messaging.Usync;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Messaging.Send;

/// <summary>The send side of one client, shared by its connections: caches (device lists, groups, sender-key holders), the sender and the retry answers.</summary>
internal sealed class SendServices
{
    public SendServices(SemaphoreSlim signalLock, ISignalStore signal, IMessageStore messages, SendOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        Context = new SendContext(
            signalLock,
            signal,
            new DeviceDirectory(new DeviceListCache(time, options.DeviceListLifetime)),
            new GroupMetadataCache(time, options.GroupMetadataLifetime),
            new SenderKeyHolders(),
            logger);
        Sender = new MessageSender(Context, messages, options, time);
        Retries = new RetryResponder(Context, messages, options, time);
    }

    public SendOptions Options { get; }

    public SendContext Context { get; }

    public MessageSender Sender { get; }

    public RetryResponder Retries { get; }
}
