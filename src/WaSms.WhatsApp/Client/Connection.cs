using Google.Protobuf;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Socket;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Client;

/// <summary>
/// One WebSocket connection of a <see cref="WaClient"/> (whatsmeow client.go): connect, Noise
/// handshake, then the receive loop and its handlers until an outcome is set. Its concerns live in
/// partial files named after whatsmeow's: Connection.Receive (loop and handler table),
/// .Request (iq request/response), .Events (login, failure, stream errors), .Notifications,
/// .Pair (QR and pair-success), .PairCode, .PreKeys, .KeepAlive, .Logout.
/// </summary>
internal sealed partial class Connection : IAsyncDisposable
{
    private readonly WaClient _client;
    private readonly BackgroundTasks _background;
    private readonly CancellationTokenSource _closing = new();
    private NoiseSocket? _socket;
    private volatile bool _loggedIn;
    private volatile int _outcome;

    public Connection(WaClient client, WaCredentials credentials)
    {
        _client = client;
        Credentials = credentials;
        _background = new BackgroundTasks(client.Options.Time, client.Options.Logger);
        RegisterHandlers();
    }

    public WaCredentials Credentials { get; private set; }

    /// <summary>One WebSocket message: a largest frame, its length prefix and a connection header.</summary>
    private static int MaxMessageSize => NodeDecoderLimits.Default.MaxInputSize + SocketConstants.FrameLengthSize + 64;

    private WaClientOptions Options => _client.Options;

    private ConnectionOutcome Outcome
    {
        get => (ConnectionOutcome)_outcome;
        set => _outcome = (int)value;
    }

    /// <summary>Cancelled when the connection ends or its owner cancels: the token of the work started off the receive loop.</summary>
    private CancellationToken Closing => _closing.Token;

    public async Task<ConnectionOutcome> RunAsync(CancellationToken cancellationToken)
    {
        using var ownerCancel = cancellationToken.Register(_closing.Cancel);
        var options = Options;
        var payload = Credentials.IsPaired
            ? ClientPayloadFactory.Login(Credentials, options)
            : ClientPayloadFactory.Registration(Credentials, options);
        WebSocketTransport transport;
        try
        {
            // Frames are bounded by the decoder's input limit, not the 16 MiB the prefix allows,
            // so one frame's copies fit the 64 MB heap (docs/protocol/binary-nodes.md §4.4).
            transport = await WebSocketTransport.ConnectAsync(options.ServerUri, MaxMessageSize, cancellationToken);
        }
        catch (SocketConnectException ex)
        {
            _client.Raise(new Disconnected(ex));
            return ConnectionOutcome.Ended;
        }

        await using var frames = FrameSocket.ForClient(transport, maxFrameSize: NodeDecoderLimits.Default.MaxInputSize);
        try
        {
            var initiator = new NoiseInitiator(Credentials.NoiseKey, new CertificateChainVerifier(options.Trust, options.Time), options.Time);
            var result = await initiator.HandshakeAsync(frames, payload.ToByteArray(), cancellationToken);
            _socket = result.Socket;
            await ReceiveAndHandleAsync(_socket, cancellationToken);
        }
        catch (CertificateChainException ex) when (ex.IsValidityCheck && ex.ValidityLimit is { } limit && !cancellationToken.IsCancellationRequested)
        {
            // A sound chain outside its validity: our clock is wrong, not the server (issue #9 item 24).
            var now = options.Time.GetUtcNow();
            var offset = transport.ServerDate is { } serverDate ? serverDate - now : limit - now;
            _client.Raise(new ClockSkew(offset, transport.ServerDate is not null, ex));
            Outcome = ConnectionOutcome.Ended;
        }
        catch (Exception ex) when (ex is WaSocketException or WaProtocolException or CertificateChainException or NoiseHandshakeException && !cancellationToken.IsCancellationRequested)
        {
            if (Outcome == ConnectionOutcome.None)
            {
                _client.Raise(new Disconnected(ex is SocketClosedException ? null : ex));
                Outcome = ConnectionOutcome.Ended;
            }
        }
        finally
        {
            await StopQrAsync();
            if (_keepAlive is { } keepAlive)
            {
                await keepAlive.CancelAsync();
            }

            CancelPendingIqs();
            _refsSeen.TrySetResult(false);

            // The background work stops on this and is waited for while the socket still exists.
            await _closing.CancelAsync();
            await _background.DisposeAsync();
        }

        return Outcome;
    }

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        await _background.DisposeAsync();
        _qrTimer?.Dispose();
        _keepAlive?.Dispose();
        _preKeyUpload.Dispose();
        _closing.Dispose();
    }
}
