using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Google.Protobuf;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Pairing;
using WaSms.WhatsApp.Socket;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Client;

/// <summary>
/// A WhatsApp linked-device client: connects, does the Noise handshake with certificate-chain
/// checks, registers (no JID stored) or logs in (JID stored), then routes incoming nodes by tag.
/// Pairing by QR and the 515 restart into login happen inside <see cref="RunAsync"/>; everything
/// the owner needs to know comes out as <see cref="EventRaised"/> (docs/whatsapp.md).
/// Reconnecting after <see cref="ConnectionOutcome.Ended"/> is the owner's decision.
/// </summary>
public sealed class WaClient
{
    /// <summary>Shortest wait between keepalive pings (whatsmeow keepalive.go: random 20–30 s).</summary>
    public static readonly TimeSpan KeepAliveIntervalMin = TimeSpan.FromSeconds(20);

    /// <summary>Longest wait between keepalive pings.</summary>
    public static readonly TimeSpan KeepAliveIntervalMax = TimeSpan.FromSeconds(30);

    /// <summary>How long a ping may go unanswered.</summary>
    public static readonly TimeSpan KeepAliveResponseDeadline = TimeSpan.FromSeconds(10);

    /// <summary>How long without any answered ping before the connection is dropped.</summary>
    public static readonly TimeSpan KeepAliveMaxFailTime = TimeSpan.FromMinutes(3);

    private readonly WaClientOptions _options;
    private readonly IWaCredentialStore _store;
    private readonly IPreKeyStore _preKeys;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<Node>> _pendingIqs = new(StringComparer.Ordinal);
    private readonly string _idPrefix;
    private long _idCounter;
    private volatile Connection? _connection;

    /// <summary>Creates a client; nothing happens until <see cref="RunAsync"/>.</summary>
    /// <param name="options">Server, trust, version, clock.</param>
    /// <param name="store">Where the credentials live.</param>
    /// <param name="preKeys">Where the one-time prekeys live; null keeps them in memory (tools, tests).</param>
    public WaClient(WaClientOptions options, IWaCredentialStore store, IPreKeyStore? preKeys = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        _options = options;
        _store = store;
        _preKeys = preKeys ?? new InMemoryPreKeyStore();
        _idPrefix = string.Create(CultureInfo.InvariantCulture, $"{RandomNumberGenerator.GetInt32(ushort.MaxValue)}.{RandomNumberGenerator.GetInt32(ushort.MaxValue)}-");
    }

    /// <summary>Raised for every <see cref="WaEvent"/>, from the receive loop or the QR timer.</summary>
    public event EventHandler<WaEvent>? EventRaised;

    /// <summary>
    /// Runs connections until one ends for a reason other than the 515 restart, and returns that outcome.
    /// Credentials are loaded at the start (fresh ones are generated when none are saved) and saved
    /// on pairing and when the server announces a new LID.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<ConnectionOutcome> RunAsync(CancellationToken cancellationToken)
    {
        var credentials = await _store.LoadAsync(cancellationToken) ?? WaCredentials.Generate();
        while (true)
        {
            using var connection = new Connection(this, credentials);
            _connection = connection;
            var outcome = await connection.RunAsync(cancellationToken);
            _connection = null;
            credentials = connection.Credentials;
            if (outcome != ConnectionOutcome.Restart)
            {
                return outcome;
            }
        }
    }

    /// <summary>
    /// Unlinks this device (the reset path): sends <c>remove-companion-device</c> for our JID with
    /// reason <c>user_initiated</c>, waits for the result, closes the connection and raises
    /// <see cref="LoggedOut"/> with reason 0 (docs/whatsapp.md §6.1). Wiping the stored credentials is
    /// the owner's job, as after any logout.
    /// </summary>
    /// <exception cref="InvalidOperationException">The client is not logged in.</exception>
    /// <exception cref="WaSocketException">The connection failed before the server answered.</exception>
    /// <exception cref="TimeoutException">The server did not answer within 20 s.</exception>
    public Task LogoutAsync(CancellationToken cancellationToken) =>
        (_connection ?? throw new InvalidOperationException("The client is not connected.")).LogoutAsync(cancellationToken);

    /// <summary>
    /// Sends <c>&lt;iq xmlns="passive" type="set"&gt;</c> with <c>&lt;passive/&gt;</c> or <c>&lt;active/&gt;</c>
    /// (docs/whatsapp.md §6.3) and waits for the result. The client sends <c>active</c> after every login itself.
    /// </summary>
    /// <exception cref="InvalidOperationException">The client is not logged in.</exception>
    /// <exception cref="WaSocketException">The server refused, or the connection closed first.</exception>
    /// <exception cref="TimeoutException">The server did not answer within 20 s.</exception>
    public Task SetPassiveAsync(bool passive, CancellationToken cancellationToken) =>
        (_connection ?? throw new InvalidOperationException("The client is not connected.")).SetPassiveAsync(passive, cancellationToken);

    /// <summary>
    /// Starts pairing by phone number (docs/whatsapp.md §9): waits until the running connection has
    /// its <c>pair-device</c> refs, sends <c>link_code_companion_reg</c> stage <c>companion_hello</c>
    /// with an 8-character code's wrapped ephemeral key, and returns the code as <c>XXXX-XXXX</c>
    /// (also raised as <see cref="PairingCodeIssued"/>). When the user types it on the phone, the
    /// client answers the server's <c>primary_hello</c> with <c>companion_finish</c> by itself; the
    /// pairing then ends with <see cref="PairSuccess"/> and the 515 restart, as with a QR.
    /// Call it while <see cref="RunAsync"/> runs; a later call replaces the pending code.
    /// </summary>
    /// <param name="phoneNumber">The account's number in international form; non-digits such as <c>+</c> and spaces are dropped.</param>
    /// <param name="cancellationToken">Cancels waiting for the connection and for the server's answer.</param>
    /// <exception cref="PairingCodeException">
    /// <see cref="PairingCodeError.InvalidPhoneNumber"/>; <see cref="PairingCodeError.ServerRefused"/> when the server
    /// answers with an error; <see cref="PairingCodeError.Malformed"/> when its answer has no pairing ref.
    /// </exception>
    /// <exception cref="InvalidOperationException">This device is already paired.</exception>
    /// <exception cref="WaSocketException">The connection closed before the server answered.</exception>
    /// <exception cref="TimeoutException">The server did not answer within 20 s.</exception>
    public async Task<string> RequestPairingCodeAsync(string phoneNumber, CancellationToken cancellationToken)
    {
        var phone = PairingCode.NormalizePhoneNumber(phoneNumber);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_connection is { } connection && await connection.WaitForRefsAsync(cancellationToken))
            {
                return await connection.RequestPairingCodeAsync(phone, cancellationToken);
            }

            // Between connections (start-up, the 515 restart): look again shortly.
            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System, cancellationToken);
        }
    }

    private void Raise(WaEvent e) => EventRaised?.Invoke(this, e);

    private string NextId() => _idPrefix + Interlocked.Increment(ref _idCounter).ToString(CultureInfo.InvariantCulture);

    /// <summary>The QR on show: its ref, its number of the set, and when it expires.</summary>
    private sealed record QrState(string Ref, int Number, int Count, DateTimeOffset ExpiresAt);

    /// <summary>A pair-code request the server accepted: what <c>primary_hello</c> needs (whatsmeow <c>phoneLinkingCache</c>).</summary>
    private sealed record PendingPairingCode(Jid Jid, Curve25519KeyPair Ephemeral, string Code, byte[] Ref);

    /// <summary>One WebSocket connection: handshake, receive loop and its handlers.</summary>
    private sealed class Connection : IDisposable
    {
        private readonly WaClient _client;
        private NoiseSocket? _socket;
        private CancellationTokenSource? _qrTimer;
        private CancellationTokenSource? _keepAlive;
        private volatile QrState? _currentQr;
        private volatile PendingPairingCode? _pendingCode;
        private readonly TaskCompletionSource<bool> _refsSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly SemaphoreSlim _preKeyUpload = new(1, 1);
        private volatile bool _loggedIn;
        private volatile int _outcome;

        public Connection(WaClient client, WaCredentials credentials)
        {
            _client = client;
            Credentials = credentials;
        }

        public WaCredentials Credentials { get; private set; }

        /// <summary>One WebSocket message: a largest frame, its length prefix and a connection header.</summary>
        private static int MaxMessageSize => NodeDecoderLimits.Default.MaxInputSize + SocketConstants.FrameLengthSize + 64;

        public void Dispose()
        {
            _qrTimer?.Dispose();
            _keepAlive?.Dispose();
            _preKeyUpload.Dispose();
        }

        private ConnectionOutcome Outcome
        {
            get => (ConnectionOutcome)_outcome;
            set => _outcome = (int)value;
        }

        public async Task<ConnectionOutcome> RunAsync(CancellationToken cancellationToken)
        {
            var options = _client._options;
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
            using var loopCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            try
            {
                var initiator = new NoiseInitiator(Credentials.NoiseKey, new CertificateChainVerifier(options.Trust, options.Time), options.Time);
                var result = await initiator.HandshakeAsync(frames, payload.ToByteArray(), cancellationToken);
                _socket = result.Socket;
                while (Outcome == ConnectionOutcome.None)
                {
                    var frame = await _socket.ReceiveFrameAsync(loopCancel.Token);
                    var node = NodeDecoder.DecodeFrame(frame);
                    await HandleAsync(node, cancellationToken);
                }
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

                foreach (var pending in _client._pendingIqs)
                {
                    pending.Value.TrySetCanceled(CancellationToken.None);
                }

                _client._pendingIqs.Clear();
                _refsSeen.TrySetResult(false);
            }

            return Outcome;
        }

        private async Task HandleAsync(Node node, CancellationToken cancellationToken)
        {
            switch (node.Tag)
            {
                case "iq":
                    await HandleIqAsync(node, cancellationToken);
                    break;
                case "success":
                    await HandleSuccessAsync(node, cancellationToken);
                    break;
                case "failure":
                    HandleFailure(node);
                    break;
                case "stream:error":
                    HandleStreamError(node);
                    break;
                case "notification":
                    await HandleNotificationAsync(node, cancellationToken);
                    break;
                case "xmlstreamend":
                    _client.Raise(new Disconnected(null));
                    Outcome = ConnectionOutcome.Ended;
                    break;
                default:
                    break;
            }
        }

        private async Task HandleIqAsync(Node iq, CancellationToken cancellationToken)
        {
            var id = iq.Attr("id") ?? string.Empty;
            var type = iq.Attr("type");
            if (type is "result" or "error")
            {
                if (_client._pendingIqs.TryRemove(id, out var waiter))
                {
                    waiter.TrySetResult(iq);
                }

                return;
            }

            if (iq.TryGetChild("pair-device", out var pairDevice) && type == "set")
            {
                // docs/whatsapp.md §4.1 step 3: acknowledge, then show the refs in order.
                await SendAsync(ResultFor(id), cancellationToken);
                var refs = pairDevice.Children
                    .Where(child => child.Tag == "ref" && child.Content.Kind == NodeContentKind.Bytes)
                    .Select(child => System.Text.Encoding.UTF8.GetString(child.Content.Bytes.Span))
                    .ToArray();
                await StopQrAsync();
                _qrTimer = new CancellationTokenSource();
                _ = RotateQrAsync(refs, _qrTimer.Token);
                _refsSeen.TrySetResult(true);
                return;
            }

            if (iq.TryGetChild("pair-success", out _))
            {
                await HandlePairSuccessAsync(iq, id, cancellationToken);
                return;
            }

            if (iq.Attr("xmlns") == "urn:xmpp:ping" && type == "get")
            {
                await SendAsync(ResultFor(id), cancellationToken);
            }
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
            await _client._store.SaveAsync(result.Credentials, cancellationToken);
            Credentials = result.Credentials;
            await SendAsync(result.Reply, cancellationToken);
            _client.Raise(new PairSuccess(result.Credentials.Jid!, result.Credentials.Lid, result.Credentials.Platform, result.Credentials.BusinessName));
        }

        private async Task HandleSuccessAsync(Node success, CancellationToken cancellationToken)
        {
            var lid = success.JidAttr("lid");
            if (lid is not null && lid != Credentials.Lid)
            {
                Credentials = Credentials with { Lid = lid };
                await _client._store.SaveAsync(Credentials, cancellationToken);
            }

            _loggedIn = true;
            _keepAlive = new CancellationTokenSource();
            _ = KeepAliveAsync(_keepAlive.Token);

            // Off the receive loop: the answers to these iqs arrive through it.
            _ = AfterLoginAsync(cancellationToken);
        }

        /// <summary>
        /// docs/whatsapp.md §6.1, in the order whatsmeow and Baileys use: prekey count (and upload
        /// when low), then <c>active</c>, then <see cref="Connected"/>. A failed step is reported and
        /// the link stays up, as in both.
        /// </summary>
        private async Task AfterLoginAsync(CancellationToken cancellationToken)
        {
            if (await RunLoginStepAsync("prekeys", () => CountAndUploadPreKeysAsync(cancellationToken))
                && await RunLoginStepAsync("passive", () => SetPassiveAsync(false, cancellationToken))
                && Outcome == ConnectionOutcome.None)
            {
                _client.Raise(new Connected(Credentials.Jid!, Credentials.Lid));
            }
        }

        /// <summary>Runs one step after login; a failure becomes <see cref="LoginStepFailed"/> and the link stays up.</summary>
        /// <returns>False when the connection ended meanwhile (its outcome says why).</returns>
        private async Task<bool> RunLoginStepAsync(string step, Func<Task> work)
        {
            try
            {
                await work();
            }
            catch (Exception ex) when (ex is WaProtocolException or TimeoutException || ex is WaSocketException && Outcome == ConnectionOutcome.None)
            {
                _client.Raise(new LoginStepFailed(step, ex.Message));
            }
            catch (Exception ex) when (ex is OperationCanceledException or WaSocketException)
            {
                return false;
            }

            return true;
        }

        /// <summary>docs/whatsapp.md §6.2: <c>&lt;count/&gt;</c>, then an upload when the server is low.</summary>
        private async Task CountAndUploadPreKeysAsync(CancellationToken cancellationToken)
        {
            var count = await SendIqAsync("encrypt", "get", [NodeHelpers.Make("count")], cancellationToken);
            if (count.Attr("type") != "result" || !count.TryGetChild("count", out var value) || !value.TryIntAttr("value", out var serverCount))
            {
                throw new WaProtocolException($"The prekey count query got no <count value>: {ErrorText(count)}.");
            }

            await UploadPreKeysIfLowAsync(serverCount, cancellationToken);
        }

        /// <summary>
        /// docs/whatsapp.md §6.2: below 5 on the server, upload 812 keys for a new device or 50 more.
        /// Keys are saved before sending and marked uploaded after the result.
        /// </summary>
        private async Task UploadPreKeysIfLowAsync(int serverCount, CancellationToken cancellationToken)
        {
            if (serverCount >= PreKeyUpload.MinServerCount)
            {
                return;
            }

            await _preKeyUpload.WaitAsync(cancellationToken);
            try
            {
                var store = _client._preKeys;
                var wanted = serverCount == 0 && await store.CountUploadedAsync(cancellationToken) == 0
                    ? PreKeyUpload.InitialCount
                    : PreKeyUpload.TopUpCount;
                var keys = await store.GetOrCreateUnuploadedAsync(wanted, cancellationToken);
                var reply = await SendIqAsync("encrypt", "set", PreKeyUpload.For(Credentials, keys).ToNodes(), cancellationToken);
                if (reply.Attr("type") != "result")
                {
                    throw new WaProtocolException($"The server refused the prekey upload: {ErrorText(reply)}.");
                }

                await store.MarkUploadedAsync([.. keys.Select(k => k.Id)], cancellationToken);
                _client.Raise(new PreKeysUploaded(keys.Count, serverCount));
            }
            finally
            {
                _preKeyUpload.Release();
            }
        }

        public async Task SetPassiveAsync(bool passive, CancellationToken cancellationToken)
        {
            if (!_loggedIn)
            {
                throw new InvalidOperationException("The client is not logged in.");
            }

            var reply = await SendIqAsync("passive", "set", [NodeHelpers.Make(passive ? "passive" : "active")], cancellationToken);
            if (reply.Attr("type") != "result")
            {
                throw new WaSocketException($"The server refused {(passive ? "passive" : "active")}: {ErrorText(reply)}.");
            }
        }

        public async Task LogoutAsync(CancellationToken cancellationToken)
        {
            if (!_loggedIn || Credentials.Jid is not { } jid)
            {
                throw new InvalidOperationException("The client is not logged in.");
            }

            var reply = await SendIqAsync("md", NodeHelpers.Make("remove-companion-device", ("jid", jid), ("reason", "user_initiated")), cancellationToken);
            if (reply.Attr("type") != "result")
            {
                throw new WaSocketException($"The server refused the logout: {ErrorText(reply)}.");
            }

            Outcome = ConnectionOutcome.Ended;
            _client.Raise(new LoggedOut(0, "user_initiated"));
            await _socket!.CloseAsync(CancellationToken.None);
        }

        /// <summary>docs/whatsapp.md §5.1: ping every 20–30 s, 10 s to answer, drop after 3 minutes of silence.</summary>
        private async Task KeepAliveAsync(CancellationToken cancellationToken)
        {
            var time = _client._options.Time;
            var lastSuccess = time.GetUtcNow();
            var errors = 0;
            try
            {
                while (true)
                {
                    var spread = (int)(KeepAliveIntervalMax - KeepAliveIntervalMin).TotalMilliseconds;
                    await Task.Delay(KeepAliveIntervalMin + TimeSpan.FromMilliseconds(RandomNumberGenerator.GetInt32(spread + 1)), time, cancellationToken);
                    try
                    {
                        await SendIqAsync("w:p", "get", [], KeepAliveResponseDeadline, cancellationToken);
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
                        if (time.GetUtcNow() - lastSuccess > KeepAliveMaxFailTime)
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

        private void HandleFailure(Node failure)
        {
            failure.TryIntAttr("reason", out var reason);
            WaEvent e = reason switch
            {
                405 => new ClientOutdated(failure.Attr("location")),
                401 or 403 or 406 => new LoggedOut(reason, failure.Attr("logout_message_header") ?? failure.Attr("message")),
                _ => new ConnectFailure(reason, failure.Attr("message")),
            };
            _client.Raise(e);
            Outcome = ConnectionOutcome.Ended;
        }

        private void HandleStreamError(Node error)
        {
            error.TryIntAttr("code", out var code);
            var conflict = error.TryGetChild("conflict", out var conflictNode) ? conflictNode.Attr("type") ?? "conflict" : null;
            if (code == 515)
            {
                Outcome = ConnectionOutcome.Restart;
                return;
            }

            if (code == 401 || conflict == "device_removed")
            {
                _client.Raise(new LoggedOut(401, conflict));
            }
            else
            {
                _client.Raise(new StreamError(code, conflict));
            }

            Outcome = ConnectionOutcome.Ended;
        }

        /// <summary>
        /// docs/whatsapp.md §4.5: every notification is acked; <c>companion_reg_refresh</c> before
        /// pairing rotates the ADV secret, persists it and re-issues the current ref's QR.
        /// </summary>
        private async Task HandleNotificationAsync(Node notification, CancellationToken cancellationToken)
        {
            var type = notification.Attr("type");
            var attributes = new List<(string Key, AttrValue Value)> { ("class", "notification"), ("id", notification.Attr("id") ?? string.Empty) };
            if (notification.JidAttr("from") is { } from)
            {
                attributes.Add(("to", from));
            }

            if (type is not null)
            {
                attributes.Add(("type", type));
            }

            await SendAsync(NodeHelpers.Make("ack", [.. attributes]), cancellationToken);
            if (type == "encrypt" && Credentials.IsPaired && notification.TryGetChild("count", out var countNode) && countNode.TryIntAttr("value", out var serverCount))
            {
                // Low-prekey push (docs/whatsapp.md §6.2), off the receive loop like the login steps.
                _ = RunLoginStepAsync("prekeys", () => UploadPreKeysIfLowAsync(serverCount, cancellationToken));
                return;
            }

            if (type == "link_code_companion_reg" && !Credentials.IsPaired
                && notification.TryGetChild("link_code_companion_reg", out var reg) && reg.Attr("stage") == "primary_hello")
            {
                // Off the receive loop: the companion_finish result arrives through it.
                _ = CompanionFinishAsync(reg, cancellationToken);
                return;
            }

            if (type == "companion_reg_refresh" && !Credentials.IsPaired
                && (notification.TryGetChild("companion_reg_refresh", out _) || notification.TryGetChild("pair-device-rotate-qr", out _)))
            {
                Credentials = Credentials with { AdvSecret = RandomNumberGenerator.GetBytes(WaCredentials.AdvSecretSize) };
                await _client._store.SaveAsync(Credentials, cancellationToken);
                if (_currentQr is { } qr)
                {
                    var remaining = qr.ExpiresAt - _client._options.Time.GetUtcNow();
                    _client.Raise(new QrIssued(QrCodeFor(qr.Ref), remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, qr.Number, qr.Count));
                }
            }
        }

        /// <summary>True once this connection got its pair-device refs; false when it ended first or is a login.</summary>
        public async Task<bool> WaitForRefsAsync(CancellationToken cancellationToken)
        {
            if (Credentials.IsPaired)
            {
                throw new InvalidOperationException("This device is already paired.");
            }

            return await _refsSeen.Task.WaitAsync(cancellationToken);
        }

        /// <summary>docs/whatsapp.md §9.3 steps 1–2: make a code, wrap a fresh ephemeral key with it, send companion_hello.</summary>
        public async Task<string> RequestPairingCodeAsync(string phone, CancellationToken cancellationToken)
        {
            var options = _client._options;
            var code = PairingCode.Generate();
            var ephemeral = Curve25519KeyPair.Generate();
            var wrapped = PairingCodeCrypto.WrapEphemeralKey(code, ephemeral.PublicKey.Span);
            var jid = new Jid(phone, JidServer.WhatsApp);
            var reply = await SendIqAsync(
                "md",
                NodeHelpers.Make(
                    "link_code_companion_reg",
                    [("jid", jid), ("stage", "companion_hello"), ("should_show_push_notification", "true")],
                    NodeHelpers.MakeBytes("link_code_pairing_wrapped_companion_ephemeral_pub", [], wrapped),
                    NodeHelpers.MakeBytes("companion_server_auth_key_pub", [], Credentials.NoiseKey.PublicKey.Span),
                    new Node("companion_platform_id", null, NodeContent.FromText(options.PairingCodePlatformId)),
                    new Node("companion_platform_display", null, NodeContent.FromText(options.PairingCodePlatformDisplay)),
                    NodeHelpers.MakeBytes("link_code_pairing_nonce", [], [0])),
                cancellationToken);
            if (reply.Attr("type") != "result")
            {
                throw new PairingCodeException(PairingCodeError.ServerRefused, $"The server refused the pairing-code request: {ErrorText(reply)}.");
            }

            if (!reply.TryGetChild("link_code_companion_reg", out var reg) || !reg.TryGetBytesChild("link_code_pairing_ref", out var reference))
            {
                throw new PairingCodeException(PairingCodeError.Malformed, "The server's answer has no <link_code_companion_reg><link_code_pairing_ref>.");
            }

            _pendingCode = new PendingPairingCode(jid, ephemeral, code, reference);
            var shown = PairingCode.Format(code);
            _client.Raise(new PairingCodeIssued(shown));
            return shown;
        }

        /// <summary>docs/whatsapp.md §9.3 step 3: answer primary_hello with companion_finish; failures become <see cref="PairingCodeFailed"/>.</summary>
        private async Task CompanionFinishAsync(Node reg, CancellationToken cancellationToken)
        {
            try
            {
                var pending = _pendingCode
                    ?? throw new PairingCodeException(PairingCodeError.RefMismatch, "A primary_hello arrived but no pairing code is pending.");
                if (!reg.TryGetBytesChild("link_code_pairing_ref", out var reference) || !reference.AsSpan().SequenceEqual(pending.Ref))
                {
                    throw new PairingCodeException(PairingCodeError.RefMismatch, "The primary_hello is for another pairing ref.");
                }

                if (!reg.TryGetBytesChild("link_code_pairing_wrapped_primary_ephemeral_pub", out var wrappedPrimary)
                    || !reg.TryGetBytesChild("primary_identity_pub", out var primaryIdentity) || primaryIdentity.Length != Curve25519.KeySize)
                {
                    throw new PairingCodeException(PairingCodeError.Malformed, "The primary_hello lacks the wrapped ephemeral key or a 32-byte primary identity key.");
                }

                var primaryEphemeral = PairingCodeCrypto.UnwrapEphemeralKey(pending.Code, wrappedPrimary);
                var ephemeralShared = PairingCodeCrypto.Agree(pending.Ephemeral.PrivateKey.Span, primaryEphemeral);
                var advRandom = RandomNumberGenerator.GetBytes(32);
                var identity = Credentials.IdentityKey;
                var bundle = PairingCodeCrypto.SealKeyBundle(ephemeralShared, identity.PublicKey.Span, primaryIdentity, advRandom);
                var identityShared = PairingCodeCrypto.Agree(identity.PrivateKey.Span, primaryIdentity);

                // The pair-success that follows is HMACed with this secret; it is saved with the pairing.
                Credentials = Credentials with { AdvSecret = PairingCodeCrypto.DeriveAdvSecret(ephemeralShared, identityShared, advRandom) };
                _pendingCode = null;
                var reply = await SendIqAsync(
                    "md",
                    NodeHelpers.Make(
                        "link_code_companion_reg",
                        [("jid", pending.Jid), ("stage", "companion_finish")],
                        NodeHelpers.MakeBytes("link_code_pairing_wrapped_key_bundle", [], bundle),
                        NodeHelpers.MakeBytes("companion_identity_public", [], identity.PublicKey.Span),
                        NodeHelpers.MakeBytes("link_code_pairing_ref", [], reference)),
                    cancellationToken);
                if (reply.Attr("type") != "result")
                {
                    throw new PairingCodeException(PairingCodeError.ServerRefused, $"The server refused companion_finish: {ErrorText(reply)}.");
                }
            }
            catch (PairingCodeException ex)
            {
                _client.Raise(new PairingCodeFailed(ex.Error, ex.Message));
            }
            catch (Exception ex) when (ex is WaSocketException or TimeoutException or OperationCanceledException)
            {
                // The connection ended; its outcome says why.
            }
        }

        /// <summary>Sends an iq of <paramref name="xmlns"/> with type set to the server and waits up to 20 s for its answer.</summary>
        private Task<Node> SendIqAsync(string xmlns, Node child, CancellationToken cancellationToken) =>
            SendIqAsync(xmlns, "set", [child], cancellationToken);

        /// <summary>Sends an iq of <paramref name="xmlns"/> and <paramref name="type"/> to the server and waits up to 20 s for its answer.</summary>
        private Task<Node> SendIqAsync(string xmlns, string type, Node[] children, CancellationToken cancellationToken) =>
            SendIqAsync(xmlns, type, children, TimeSpan.FromSeconds(20), cancellationToken);

        /// <summary>The same with its own deadline (keepalive pings get 10 s); no children sends a childless iq, as pings are.</summary>
        private async Task<Node> SendIqAsync(string xmlns, string type, Node[] children, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var id = _client.NextId();
            var waiter = new TaskCompletionSource<Node>(TaskCreationOptions.RunContinuationsAsynchronously);
            _client._pendingIqs[id] = waiter;
            try
            {
                (string, AttrValue)[] attributes = [("id", id), ("to", Jid.WhatsAppServer), ("type", type), ("xmlns", xmlns)];
                await SendAsync(children.Length == 0 ? NodeHelpers.Make("iq", attributes) : NodeHelpers.Make("iq", attributes, children), cancellationToken);
                return await waiter.Task.WaitAsync(timeout, _client._options.Time, cancellationToken);
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new SocketClosedException("The connection closed before the server answered.", ex);
            }
            finally
            {
                _client._pendingIqs.TryRemove(id, out _);
            }
        }

        private static string ErrorText(Node reply) =>
            reply.TryGetChild("error", out var errorNode) ? $"{errorNode.Attr("code")} {errorNode.Attr("text")}" : "no error child";

        private string QrCodeFor(string reference) =>
            new PairingQrCode(reference, Credentials.NoiseKey.PublicKey, Credentials.IdentityKey.PublicKey, Credentials.AdvSecret, _client._options.QrPlatformId).ToString();

        private async Task RotateQrAsync(string[] refs, CancellationToken cancellationToken)
        {
            var options = _client._options;
            try
            {
                for (var i = 0; i < refs.Length; i++)
                {
                    var validFor = QrRefSchedule.ValidFor(i);
                    _currentQr = new QrState(refs[i], i + 1, refs.Length, options.Time.GetUtcNow() + validFor);
                    _client.Raise(new QrIssued(QrCodeFor(refs[i]), validFor, i + 1, refs.Length));
                    await Task.Delay(validFor, options.Time, cancellationToken);
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

        private static Node ResultFor(string id) =>
            NodeHelpers.Make("iq", ("to", Jid.WhatsAppServer), ("type", "result"), ("id", id));

        private ValueTask SendAsync(Node node, CancellationToken cancellationToken) =>
            _socket!.SendFrameAsync(NodeEncoder.EncodeFrame(node), cancellationToken);
    }
}
