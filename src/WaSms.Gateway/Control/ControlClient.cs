using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace WaSms.Gateway.Control;

/// <summary>The CLI's side of the control socket.</summary>
public static class ControlClient
{
    /// <summary>Sends one request and waits for the answer.</summary>
    /// <exception cref="ServiceNotRunningException">Nothing listens on <paramref name="socketPath"/>.</exception>
    /// <exception cref="TimeoutException">The gateway did not answer within <paramref name="timeout"/> (frozen or overloaded).</exception>
    /// <exception cref="ControlAccessDeniedException">This user may not connect to <paramref name="socketPath"/>.</exception>
    /// <exception cref="IOException">The gateway closed the connection without a (readable) answer, e.g. while stopping.</exception>
    public static async Task<ControlResponse> SendAsync(string socketPath, ControlRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), timeoutSource.Token);
            }
            catch (SocketException ex) when (ConnectFailure(ex, socketPath) is { } failure)
            {
                throw failure;
            }
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var line = JsonSerializer.Serialize(request, ControlJson.Default.ControlRequest) + "\n";
            await stream.WriteAsync(Encoding.UTF8.GetBytes(line), timeoutSource.Token);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var answer = await reader.ReadLineAsync(timeoutSource.Token)
                         ?? throw new IOException("the gateway closed the connection without answering; it may be stopping or restarting");
            return JsonSerializer.Deserialize(answer, ControlJson.Default.ControlResponse)
                   ?? throw new IOException("the gateway sent an empty answer");
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Our own deadline, not the caller's: a frozen (SIGSTOP) or stuck gateway.
            throw new TimeoutException($"the gateway did not answer within {timeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s (running but stuck or stopped?)", ex);
        }
        catch (SocketException ex)
        {
            throw new IOException($"the connection to the gateway failed ({ex.Message}); it may be stopping or restarting", ex);
        }
        catch (IOException ex) when (ex is not ControlAccessDeniedException && ex.InnerException is SocketException)
        {
            throw new IOException($"the gateway closed the connection without answering ({ex.InnerException.Message}); it may be stopping or restarting", ex);
        }
        catch (JsonException ex)
        {
            throw new IOException($"the gateway's answer cannot be read ({ex.Message})", ex);
        }
    }

    /// <summary>What a failed connect means, or null when it is none of these (then it reads as "stopping or restarting").</summary>
    internal static Exception? ConnectFailure(SocketException ex, string socketPath) =>
        ex.SocketErrorCode == SocketError.AccessDenied
            // Whether it runs cannot be told: the socket is 0600 in the service user's directory.
            ? new ControlAccessDeniedException(socketPath, ex)
            : ex.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable || !File.Exists(socketPath)
                ? new ServiceNotRunningException(socketPath, ex)
                : null;

    /// <summary>True when a gateway answers on <paramref name="socketPath"/>.</summary>
    public static async Task<bool> IsAnsweringAsync(string socketPath, CancellationToken cancellationToken)
    {
        try
        {
            var response = await SendAsync(socketPath, new ControlRequest("status"), TimeSpan.FromSeconds(2), cancellationToken);
            return response.Ok;
        }
        catch (Exception ex) when (ex is ServiceNotRunningException or IOException or TimeoutException or OperationCanceledException)
        {
            return false;
        }
    }
}
