using System.Threading.Channels;
using WaSms.Emulators.WhatsApp.Socket;
using WaSms.WhatsApp.Socket;

namespace WaSms.Emulators.WhatsApp.Scripting;

/// <summary>
/// A WhatsApp server whose every move a test writes down, after Npgsql's <c>PgServerMock</c>
/// (github.com/npgsql/npgsql, test/Npgsql.Tests/Support/PgServerMock.cs): the real transport of
/// <see cref="WaEmulator"/> (<see cref="WaServerListener"/>: WebSocket upgrade, Noise handshake under a
/// test root), but no behaviour of its own. A test takes the next connection and says, node by node,
/// what it expects from the client and what it answers:
/// <code>
/// await using var server = ScriptedWaServer.Start();
/// var connection = await server.AcceptAsync(ct);
/// var iq = await connection.ExpectAsync(n => n.Tag == "iq" &amp;&amp; n.Attr("xmlns") == "passive", ct);
/// await connection.ReplyAsync(iq, ct);
/// </code>
/// </summary>
public sealed class ScriptedWaServer : IAsyncDisposable
{
    private readonly WaServerListener _listener;
    private readonly Channel<ScriptedConnection> _accepted = Channel.CreateUnbounded<ScriptedConnection>();

    private ScriptedWaServer(TimeProvider? time)
    {
        _listener = new WaServerListener(HoldAsync, time: time);
    }

    /// <summary>The trust anchor a client needs for this server.</summary>
    public CertificateTrust Trust => _listener.Trust;

    /// <summary>The WebSocket URL.</summary>
    public Uri Uri => _listener.Uri;

    /// <summary>Starts a server on a free loopback port.</summary>
    public static ScriptedWaServer Start(TimeProvider? time = null)
    {
        var server = new ScriptedWaServer(time);
        server._listener.Start();
        return server;
    }

    /// <summary>Waits for the next client to complete the Noise handshake.</summary>
    public async Task<ScriptedConnection> AcceptAsync(CancellationToken cancellationToken) =>
        await _accepted.Reader.ReadAsync(cancellationToken);

    /// <summary>Ends every connection and stops listening.</summary>
    public async ValueTask DisposeAsync()
    {
        _accepted.Writer.TryComplete();
        await _listener.DisposeAsync();
    }

    /// <summary>Hands the connection to the test and keeps it open until the test or the client closes it.</summary>
    private async Task HoldAsync(WaServerConnection accepted, CancellationToken cancellationToken)
    {
        var connection = new ScriptedConnection(accepted);
        if (_accepted.Writer.TryWrite(connection))
        {
            await connection.Closed.WaitAsync(cancellationToken);
        }
    }
}
