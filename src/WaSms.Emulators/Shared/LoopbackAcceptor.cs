using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace WaSms.Emulators.Shared;

/// <summary>
/// The accept loop of a fake server on 127.0.0.1: every accepted TCP client goes to the handler on
/// its own task (the handler owns and disposes the client); disposing stops listening and waits for
/// every handler. The handler must catch its own client's failures: one client never stops the loop.
/// </summary>
public sealed class LoopbackAcceptor : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<TcpClient, CancellationToken, Task> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Task, byte> _tasks = new();
    private Task? _acceptLoop;

    /// <summary>Creates the acceptor on 127.0.0.1 (port 0 picks a free one); call <see cref="Start"/>.</summary>
    public LoopbackAcceptor(Func<TcpClient, CancellationToken, Task> handler, int port = 0)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handler = handler;
        _listener = new TcpListener(IPAddress.Loopback, port);
    }

    /// <summary>The port listened on, valid after <see cref="Start"/>.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Cancelled when the acceptor is disposed.</summary>
    public CancellationToken Stopping => _stop.Token;

    /// <summary>Starts listening and accepting connections.</summary>
    /// <exception cref="SocketException">The port is taken.</exception>
    public void Start()
    {
        _listener.Start();
        _acceptLoop = AcceptLoopAsync(_stop.Token);
    }

    /// <summary>Stops listening and waits for every connection's handler.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await Task.WhenAll(_tasks.Keys).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var task = _handler(client, cancellationToken);
            _tasks[task] = 0;
            _ = task.ContinueWith(t => _tasks.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }
}
