using System.Net.Sockets;
using System.Text;

namespace WaSms.Gateway.Tests.Support;

/// <summary>A real unix datagram socket standing in for systemd's NOTIFY_SOCKET.</summary>
public sealed class NotifyListener : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly EventCollector<string> _messages = new("notification");
    private readonly CancellationTokenSource _stop = new();

    public NotifyListener()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"notify-{Guid.NewGuid():N}"[..20] + ".sock");
        _socket.Bind(new UnixDomainSocketEndPoint(Path));
        _ = ReceiveAsync();
    }

    public string Path { get; }

    /// <summary>Every message so far, in order.</summary>
    public IReadOnlyList<string> All => _messages.All;

    private async Task ReceiveAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var length = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                _messages.Add(Encoding.UTF8.GetString(buffer, 0, length));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Waits for a message that satisfies <paramref name="match"/>, skipping others.</summary>
    public Task<string> WaitForAsync(Func<string, bool> match, TimeSpan timeout) => _messages.WaitForAsync(match, timeout);

    /// <summary>
    /// Returns once every message sent before this call has been received (and skipped by later
    /// waits): a marker sent to the socket itself queues behind them.
    /// </summary>
    public async Task FlushAsync()
    {
        var marker = "TEST_MARKER=" + Guid.NewGuid().ToString("N");
        using (var sender = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified))
        {
            await sender.SendToAsync(Encoding.UTF8.GetBytes(marker), SocketFlags.None, new UnixDomainSocketEndPoint(Path));
        }
        await WaitForAsync(m => m == marker, TimeSpan.FromSeconds(10));
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _stop.Dispose();
        File.Delete(Path);
    }
}
