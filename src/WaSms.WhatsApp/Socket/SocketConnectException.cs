using System.Net;

namespace WaSms.WhatsApp.Socket;

/// <summary>
/// Thrown by <see cref="WebSocketTransport.ConnectAsync"/> when the WebSocket could not be opened.
/// <see cref="StatusCode"/> carries the HTTP status when the server answered; whatsmeow retries
/// network errors and 408/500/501/502/503/504 (docs/protocol/noise.md §1).
/// </summary>
public sealed class SocketConnectException : WaSocketException
{
    /// <summary>Creates the exception with a message, the HTTP status if any, and the cause.</summary>
    public SocketConnectException(string message, HttpStatusCode? statusCode, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    /// <summary>The HTTP status of the failed upgrade, or <see langword="null"/> when no response arrived.</summary>
    public HttpStatusCode? StatusCode { get; }
}
