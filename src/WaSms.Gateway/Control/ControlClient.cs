using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace WaSms.Gateway.Control;

/// <summary>The CLI's side of the control socket.</summary>
public static class ControlClient
{
    /// <summary>Sends one request and waits for the answer.</summary>
    /// <exception cref="ServiceNotRunningException">Nothing listens on <paramref name="socketPath"/>.</exception>
    public static async Task<ControlResponse> SendAsync(string socketPath, ControlRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), timeoutSource.Token);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable or SocketError.AccessDenied
                                              || !File.Exists(socketPath))
        {
            throw new ServiceNotRunningException(socketPath, ex);
        }
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var line = JsonSerializer.Serialize(request, ControlJson.Default.ControlRequest) + "\n";
        await stream.WriteAsync(Encoding.UTF8.GetBytes(line), timeoutSource.Token);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var answer = await reader.ReadLineAsync(timeoutSource.Token)
                     ?? throw new IOException("the gateway closed the control socket without answering");
        return JsonSerializer.Deserialize(answer, ControlJson.Default.ControlResponse)
               ?? throw new IOException("the gateway sent an empty answer");
    }

    /// <summary>True when a gateway answers on <paramref name="socketPath"/>.</summary>
    public static async Task<bool> IsAnsweringAsync(string socketPath, CancellationToken cancellationToken)
    {
        try
        {
            var response = await SendAsync(socketPath, new ControlRequest("status"), TimeSpan.FromSeconds(2), cancellationToken);
            return response.Ok;
        }
        catch (Exception ex) when (ex is ServiceNotRunningException or IOException or SocketException or OperationCanceledException or JsonException)
        {
            return false;
        }
    }
}
