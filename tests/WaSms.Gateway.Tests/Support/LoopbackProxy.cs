using System.Net;
using System.Net.Sockets;

namespace WaSms.Gateway.Tests.Support;

/// <summary>What <see cref="LoopbackProxy"/> does to the network.</summary>
public enum ProxyMode
{
    /// <summary>Forwards both ways.</summary>
    Pass,

    /// <summary>Resets every open connection and every new one as soon as it is accepted.</summary>
    Drop,

    /// <summary>Accepts new connections and forwards nothing on them (open ones keep working).</summary>
    Stall,

    /// <summary>Stops forwarding on every open connection, silently (no close, no reset), and stalls new ones.</summary>
    BlackHole,
}

/// <summary>
/// A TCP proxy on loopback in front of <paramref name="target"/>, for network faults between the
/// gateway and the platform: the mode can change at any time, and every accepted connection is counted
/// (a reconnect storm shows as a count).
/// </summary>
public sealed class LoopbackProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Link> _links = [];
    private readonly Task _accepting;
    private ProxyMode _mode;
    private int _accepted;

    public LoopbackProxy(IPEndPoint target)
    {
        _target = target;
        _listener.Start();
        _accepting = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted so far, in any mode.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    public ProxyMode Mode
    {
        get => _mode;
        set
        {
            _mode = value;
            lock (_links)
            {
                foreach (var link in _links.ToList())
                {
                    if (value == ProxyMode.Drop)
                    {
                        link.Reset();
                        _links.Remove(link);
                    }
                    else if (value == ProxyMode.BlackHole)
                    {
                        link.Forwarding = false;
                    }
                }
            }
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            Interlocked.Increment(ref _accepted);
            var link = new Link(client);
            switch (_mode)
            {
                case ProxyMode.Drop:
                    link.Reset();
                    continue;
                case ProxyMode.Stall or ProxyMode.BlackHole:
                    link.Forwarding = false; // held open, nothing read or sent
                    break;
                default:
                    _ = link.RunAsync(_target, _stop.Token);
                    break;
            }
            lock (_links)
            {
                _links.Add(link);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        lock (_links)
        {
            _links.ForEach(l => l.Reset());
            _links.Clear();
        }
        _stop.Dispose();
    }

    /// <summary>One client connection and, once forwarding, its upstream.</summary>
    private sealed class Link(Socket client)
    {
        private readonly Socket _upstream = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        /// <summary>False: bytes read are dropped, as a black hole does.</summary>
        public volatile bool Forwarding = true;

        public async Task RunAsync(IPEndPoint target, CancellationToken cancellationToken)
        {
            try
            {
                await _upstream.ConnectAsync(target, cancellationToken);
                await Task.WhenAny(PumpAsync(client, _upstream, cancellationToken), PumpAsync(_upstream, client, cancellationToken));
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
            if (Forwarding)
            {
                Reset(); // one side closed: pass that on (a black-holed link stays open, as a dead route does)
            }
        }

        private async Task PumpAsync(Socket from, Socket to, CancellationToken cancellationToken)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                while (true)
                {
                    var read = await from.ReceiveAsync(buffer, cancellationToken);
                    if (read == 0)
                    {
                        return;
                    }
                    if (Forwarding)
                    {
                        await to.SendAsync(buffer.AsMemory(0, read), cancellationToken);
                    }
                }
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }

        public void Reset()
        {
            foreach (var socket in new[] { client, _upstream })
            {
                try
                {
                    socket.LingerState = new LingerOption(true, 0); // close with RST
                    socket.Close();
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                }
            }
        }
    }
}
