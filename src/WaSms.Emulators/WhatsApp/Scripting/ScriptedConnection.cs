using System.Globalization;
using WaSms.Emulators.WhatsApp.Socket;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Proto;
using WaSms.WhatsApp.Socket;

namespace WaSms.Emulators.WhatsApp.Scripting;

/// <summary>One client connection of a <see cref="ScriptedWaServer"/>, after the Noise handshake.</summary>
public sealed class ScriptedConnection
{
    private readonly NoiseSocket _socket;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _idCounter;

    internal ScriptedConnection(WaServerConnection accepted)
    {
        _socket = accepted.Socket;
        ClientStaticKey = accepted.ClientStaticKey;
        Payload = accepted.Payload;
    }

    /// <summary>The client's Noise static key.</summary>
    public ReadOnlyMemory<byte> ClientStaticKey { get; }

    /// <summary>The ClientPayload of the handshake (login: <c>Username</c>/<c>Device</c>; registration: <c>DevicePairingData</c>).</summary>
    public ClientPayload Payload { get; }

    internal Task Closed => _closed.Task;

    /// <summary>
    /// Receives the next node from the client and checks it against <paramref name="match"/>; the
    /// order is strict, as in a script: a different node fails the test.
    /// </summary>
    /// <returns>The node, for the answer.</returns>
    /// <exception cref="EmulatorException">The next node does not match, or the client closed.</exception>
    public async Task<Node> ExpectAsync(Func<Node, bool> match, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(match);
        Node node;
        try
        {
            node = NodeDecoder.DecodeFrame(await _socket.ReceiveFrameAsync(cancellationToken));
        }
        catch (WaSocketException ex)
        {
            throw new EmulatorException("The client closed the connection while the script expected a node.", ex);
        }

        return match(node) ? node : throw new EmulatorException($"The script expected another node than this one:\n{node}");
    }

    /// <summary>Sends <paramref name="node"/>.</summary>
    public ValueTask SendAsync(Node node, CancellationToken cancellationToken) =>
        _socket.SendFrameAsync(NodeEncoder.EncodeFrame(node), cancellationToken);

    /// <summary>Answers the iq <paramref name="request"/> with <c>type="result"</c> and <paramref name="children"/>.</summary>
    public ValueTask ReplyAsync(Node request, CancellationToken cancellationToken, params Node[] children)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendAsync(NodeHelpers.Make("iq", [("from", Jid.WhatsAppServer), ("type", "result"), ("id", request.Attr("id") ?? string.Empty)], children), cancellationToken);
    }

    /// <summary>Answers the iq <paramref name="request"/> with <c>type="error"</c> and <c>&lt;error code text/&gt;</c>.</summary>
    public ValueTask ReplyErrorAsync(Node request, int code, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendAsync(
            NodeHelpers.Make(
                "iq",
                [("from", Jid.WhatsAppServer), ("type", "error"), ("id", request.Attr("id") ?? string.Empty)],
                NodeHelpers.Make("error", ("code", code.ToString(CultureInfo.InvariantCulture)), ("text", text))),
            cancellationToken);
    }

    /// <summary>A fresh id for a node the server starts.</summary>
    public string NextId() => "script-" + Interlocked.Increment(ref _idCounter).ToString(CultureInfo.InvariantCulture);

    /// <summary>Closes the connection from the server's side.</summary>
    public async Task CloseAsync()
    {
        try
        {
            await _socket.CloseAsync(CancellationToken.None);
        }
        catch (WaSocketException)
        {
            // Already gone.
        }
        finally
        {
            _closed.TrySetResult();
        }
    }
}
