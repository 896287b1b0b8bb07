using System.Security.Cryptography;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Socket;

namespace WaSms.WhatsApp.Client;

/// <summary>Keepalive pings (whatsmeow keepalive.go; docs/whatsapp.md §5.1).</summary>
internal sealed partial class Connection
{
    private CancellationTokenSource? _keepAlive;

    /// <summary>Ping every 20–30 s, 10 s to answer, drop after 3 minutes of silence.</summary>
    private async Task KeepAliveAsync(CancellationToken cancellationToken)
    {
        var time = Options.Time;
        var lastSuccess = time.GetUtcNow();
        var errors = 0;
        try
        {
            while (true)
            {
                var spread = (int)(WaClient.KeepAliveIntervalMax - WaClient.KeepAliveIntervalMin).TotalMilliseconds;
                await Task.Delay(WaClient.KeepAliveIntervalMin + TimeSpan.FromMilliseconds(RandomNumberGenerator.GetInt32(spread + 1)), time, cancellationToken);
                try
                {
                    await SendIqAsync("w:p", "get", [], WaClient.KeepAliveResponseDeadline, cancellationToken);
                    lastSuccess = time.GetUtcNow();
                    if (errors > 0)
                    {
                        errors = 0;
                        _client.Raise(new KeepAliveRestored());
                    }
                }
                catch (TimeoutException)
                {
                    errors++;
                    _client.Raise(new KeepAliveTimeout(errors, lastSuccess));
                    if (time.GetUtcNow() - lastSuccess > WaClient.KeepAliveMaxFailTime)
                    {
                        Outcome = ConnectionOutcome.Ended;
                        _client.Raise(new Disconnected(new TimeoutException($"No keepalive answer since {lastSuccess:O}.")));
                        await _socket!.CloseAsync(CancellationToken.None);
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (WaSocketException)
        {
        }
    }
}
