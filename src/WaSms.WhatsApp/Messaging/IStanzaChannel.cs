using WaSms.WhatsApp.Binary;

namespace WaSms.WhatsApp.Messaging;

/// <summary>What the messaging code needs from a live connection: iq round trips, writing a stanza, waiting for its server ack.</summary>
internal interface IStanzaChannel
{
    /// <summary>Sends <c>&lt;iq xmlns type to&gt;</c> with <paramref name="child"/> and returns the answer (result or error).</summary>
    Task<Node> QueryAsync(Jid to, string xmlns, string type, Node child, CancellationToken cancellationToken);

    /// <summary>
    /// Writes <paramref name="message"/> and returns the wait for its server <c>&lt;ack class="message"&gt;</c>,
    /// which ends with null when none came within <paramref name="deadline"/>. Split in two so a caller can
    /// release its locks once the stanza is out.
    /// </summary>
    Task<Task<Node?>> WriteMessageAsync(Node message, TimeSpan deadline, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="node"/> without waiting for anything (a retry resend).</summary>
    ValueTask WriteAsync(Node node, CancellationToken cancellationToken);

    /// <summary>A fresh request id (usync <c>sid</c>).</summary>
    string NextId();
}
