using System.Security.Cryptography;
using System.Text;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Pairing;
using WaSms.WhatsApp.Socket;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Client;

/// <summary>Pairing by QR (whatsmeow pair.go): the refs and their rotation, the ADV secret refresh, pair-success.</summary>
internal sealed partial class Connection
{
    private readonly TaskCompletionSource<bool> _refsSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _qrTimer;
    private volatile QrState? _currentQr;

    /// <summary>docs/whatsapp.md §4.1 step 3: acknowledge, then show the refs in order.</summary>
    private async Task HandlePairDeviceAsync(Node pairDevice, string id, CancellationToken cancellationToken)
    {
        await SendAsync(ResultFor(id), cancellationToken);
        var refs = pairDevice.Children
            .Where(child => child.Tag == "ref" && child.Content.Kind == NodeContentKind.Bytes)
            .Select(child => Encoding.UTF8.GetString(child.Content.Bytes.Span))
            .ToArray();
        await StopQrAsync();
        var timer = new CancellationTokenSource();
        _qrTimer = timer;
        _background.Run("qr-rotation", () => RotateQrAsync(refs, timer.Token));
        _refsSeen.TrySetResult(true);
    }

    private async Task HandlePairSuccessAsync(Node iq, string id, CancellationToken cancellationToken)
    {
        await StopQrAsync();
        PairingResult result;
        try
        {
            result = PairSuccessHandler.Process(iq, Credentials);
        }
        catch (PairingException ex)
        {
            await SendAsync(PairSuccessHandler.ErrorReply(id, ex.Error), cancellationToken);
            _client.Raise(new PairError(ex.Error, ex.Message));
            return;
        }

        // Persist before replying, as whatsmeow does (docs/whatsapp.md §4.4 step 5).
        await _client.Store.SaveAsync(result.Credentials, cancellationToken);
        Credentials = result.Credentials;
        await SendAsync(result.Reply, cancellationToken);
        _client.Raise(new PairSuccess(result.Credentials.Jid!, result.Credentials.Lid, result.Credentials.Platform, result.Credentials.BusinessName));
    }

    /// <summary>docs/whatsapp.md §4.5: before pairing, rotate the ADV secret, persist it and re-issue the current ref's QR.</summary>
    private async Task HandleCompanionRegRefreshAsync(CancellationToken cancellationToken)
    {
        Credentials = Credentials with { AdvSecret = RandomNumberGenerator.GetBytes(WaCredentials.AdvSecretSize) };
        await _client.Store.SaveAsync(Credentials, cancellationToken);
        if (_currentQr is { } qr)
        {
            var remaining = qr.ExpiresAt - Options.Time.GetUtcNow();
            _client.Raise(new QrIssued(QrCodeFor(qr.Ref), remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, qr.Number, qr.Count));
        }
    }

    private string QrCodeFor(string reference) =>
        new PairingQrCode(reference, Credentials.NoiseKey.PublicKey, Credentials.IdentityKey.PublicKey, Credentials.AdvSecret, Options.QrPlatformId).ToString();

    private async Task RotateQrAsync(string[] refs, CancellationToken cancellationToken)
    {
        var time = Options.Time;
        try
        {
            for (var i = 0; i < refs.Length; i++)
            {
                var validFor = QrRefSchedule.ValidFor(i);
                _currentQr = new QrState(refs[i], i + 1, refs.Length, time.GetUtcNow() + validFor);
                _client.Raise(new QrIssued(QrCodeFor(refs[i]), validFor, i + 1, refs.Length));
                await Task.Delay(validFor, time, cancellationToken);
            }

            _currentQr = null;

            // docs/whatsapp.md §4.3: out of refs; disconnect, as both libraries do.
            _client.Raise(new QrRefsExhausted(refs.Length));
            Outcome = ConnectionOutcome.Ended;
            if (_socket is { } socket)
            {
                await socket.CloseAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (WaSocketException)
        {
        }
    }

    private async Task StopQrAsync()
    {
        _currentQr = null;
        if (_qrTimer is { } timer)
        {
            _qrTimer = null;
            await timer.CancelAsync();
            timer.Dispose();
        }
    }

    /// <summary>The QR on show: its ref, its number of the set, and when it expires.</summary>
    private sealed record QrState(string Ref, int Number, int Count, DateTimeOffset ExpiresAt);
}
