using Microsoft.Extensions.Logging;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Messaging;

/// <summary>What the receive side of one connection works with: the stores, the current credentials, the socket and the owner's events.</summary>
/// <param name="Credentials">Our credentials as they are now (the LID may arrive with <c>success</c>).</param>
/// <param name="Send">Writes a node to the server.</param>
/// <param name="Raise">Raises an event to the client's owner.</param>
internal sealed record ReceiveContext(
    ISignalStore Signal,
    IMessageStore Messages,
    IPreKeyStore PreKeys,
    Func<WaCredentials> Credentials,
    Func<Node, CancellationToken, ValueTask> Send,
    Action<WaEvent> Raise,
    TimeProvider Time,
    ILogger Logger);
