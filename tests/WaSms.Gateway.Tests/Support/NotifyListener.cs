using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace WaSms.Gateway.Tests.Support;

/// <summary>A real unix datagram socket standing in for systemd's NOTIFY_SOCKET.</summary>
public sealed class NotifyListener : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly Channel<string> _messages = Channel.CreateUnbounded<string>();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _all = [];

    public NotifyListener()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"notify-{Guid.NewGuid():N}"[..20] + ".sock");
        _socket.Bind(new UnixDomainSocketEndPoint(Path));
        _ = ReceiveAsync();
    }

    public string Path { get; }

    /// <summary>Every message so far, in order.</summary>
    public IReadOnlyList<string> All
    {
        get { lock (_all) { return [.. _all]; } }
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var length = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                var message = Encoding.UTF8.GetString(buffer, 0, length);
                lock (_all)
                {
                    _all.Add(message);
                }
                _messages.Writer.TryWrite(message);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Waits for a message that satisfies <paramref name="match"/>, skipping others.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var message = await _messages.Reader.ReadAsync(cts.Token);
                if (match(message))
                {
                    return message;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no matching notification within {timeout}; got: {string.Join(" | ", All)}");
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _stop.Dispose();
        File.Delete(Path);
    }
}
