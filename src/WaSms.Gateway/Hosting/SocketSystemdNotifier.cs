using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting.Systemd;

namespace WaSms.Gateway.Hosting;

/// <summary>
/// sd_notify over the datagram socket named by <c>NOTIFY_SOCKET</c> (a path, or <c>@name</c> for
/// the abstract namespace). The path is passed in, so in-process tests use their own socket.
/// </summary>
public sealed class SocketSystemdNotifier(string? socketPath) : ISystemdNotifier
{
    public bool IsEnabled => !string.IsNullOrEmpty(socketPath);

    public void Notify(ServiceState state)
    {
        if (!IsEnabled)
        {
            return;
        }
        var path = socketPath![0] == '@' ? "\0" + socketPath[1..] : socketPath;
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            socket.Send(Encoding.UTF8.GetBytes(state.ToString()));
        }
        catch (SocketException)
        {
            // systemd gone (shutdown) or a test listener closed: notifications are best effort.
        }
    }
}
