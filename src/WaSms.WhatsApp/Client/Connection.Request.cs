using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Socket;

namespace WaSms.WhatsApp.Client;

/// <summary>Iq request/response and sending (whatsmeow request.go, send.go); the server's own iqs by their child.</summary>
internal sealed partial class Connection
{
    private readonly PendingIqs _pendingIqs = new();

    private async Task HandleIqAsync(Node iq, CancellationToken cancellationToken)
    {
        if (_pendingIqs.TryAnswer(iq))
        {
            return;
        }

        var id = iq.Attr("id") ?? string.Empty;
        var type = iq.Attr("type");

        if (iq.TryGetChild("pair-device", out var pairDevice) && type == "set")
        {
            await HandlePairDeviceAsync(pairDevice, id, cancellationToken);
            return;
        }

        if (iq.TryGetChild("pair-success", out _))
        {
            await HandlePairSuccessAsync(iq, id, cancellationToken);
            return;
        }

        if (iq.Attr("xmlns") == "urn:xmpp:ping" && type == "get")
        {
            await SendAsync(ResultFor(id), cancellationToken);
        }
    }

    /// <summary>Sends an iq of <paramref name="xmlns"/> with type set to the server and waits up to 20 s for its answer.</summary>
    private Task<Node> SendIqAsync(string xmlns, Node child, CancellationToken cancellationToken) =>
        SendIqAsync(xmlns, "set", [child], cancellationToken);

    /// <summary>Sends an iq of <paramref name="xmlns"/> and <paramref name="type"/> to the server and waits up to 20 s for its answer.</summary>
    private Task<Node> SendIqAsync(string xmlns, string type, Node[] children, CancellationToken cancellationToken) =>
        SendIqAsync(xmlns, type, children, TimeSpan.FromSeconds(20), cancellationToken);

    /// <summary>The same with its own deadline (keepalive pings get 10 s) and address (a group); no children sends a childless iq, as pings are.</summary>
    private async Task<Node> SendIqAsync(string xmlns, string type, Node[] children, TimeSpan timeout, CancellationToken cancellationToken, Jid? to = null)
    {
        var id = _client.NextId();
        var answer = _pendingIqs.Add(id);
        try
        {
            (string, AttrValue)[] attributes = [("id", id), ("to", to ?? Jid.WhatsAppServer), ("type", type), ("xmlns", xmlns)];
            await SendAsync(children.Length == 0 ? NodeHelpers.Make("iq", attributes) : NodeHelpers.Make("iq", attributes, children), cancellationToken);
            return await answer.WaitAsync(timeout, Options.Time, cancellationToken);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SocketClosedException("The connection closed before the server answered.", ex);
        }
        finally
        {
            _pendingIqs.Remove(id);
        }
    }

    /// <summary>The connection ended: every iq still waiting fails with <see cref="SocketClosedException"/>.</summary>
    private void CancelPendingIqs()
    {
        _pendingIqs.FailAll();
    }

    private static string ErrorText(Node reply) =>
        reply.TryGetChild("error", out var errorNode) ? $"{errorNode.Attr("code")} {errorNode.Attr("text")}" : "no error child";

    private static Node ResultFor(string id) =>
        NodeHelpers.Make("iq", ("to", Jid.WhatsAppServer), ("type", "result"), ("id", id));

    private ValueTask SendAsync(Node node, CancellationToken cancellationToken) =>
        _socket!.SendFrameAsync(NodeEncoder.EncodeFrame(node), cancellationToken);
}
