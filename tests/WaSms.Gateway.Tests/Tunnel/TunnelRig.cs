using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaSms.Core;
using WaSms.Core.Health;
using WaSms.Core.Reset;
using WaSms.Core.State;
using WaSms.Gateway.Configuration;
using WaSms.Gateway.Messaging;
using WaSms.Gateway.Messaging.Pacing;
using WaSms.Gateway.Tunnel.Connection;
using WaSms.Gateway.Tunnel.Identity;
using WaSms.Gateway.Tunnel.Sync;
using WaSms.Storage;
using WaSms.WhatsApp.Store;

namespace WaSms.Gateway.Tests.Tunnel;

/// <summary>The gateway's side of the tunnel over a real store in a temporary directory, on a fake clock, pointed at a <see cref="ScriptedPlatform"/>.</summary>
internal sealed class TunnelRig : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private TunnelRig(TempDirectory dir, GatewayStore store, FakeTimeProvider time, TunnelOptions options, ServiceProvider services)
    {
        Directory = dir;
        Store = store;
        Time = time;
        Options = options;
        _services = services;
        var messages = new ObservedMessageStore(new WhatsAppMessageStore(store), services.GetRequiredService<HealthCounters>());
        Messages = messages;
        var session = new WhatsAppSessionStore(store);
        var waker = new CountingWaker();
        Waker = waker;
        var api = new MessagingApi(messages, session, waker, time);
        Machine = services.GetRequiredService<GatewayStateMachine>();
        Codes = new EnrollmentCodes(options, new GatewayOptions { StateDirectory = dir.Path });
        Identity = new DeviceIdentity(store);
        Status = new TunnelLinkStatus(Machine);
        Pacing = new PacingGate(new PacingOptions(), store, Machine, time, new Random(1), NullLogger<PacingGate>.Instance);
        Parts = new TunnelParts(Identity, Codes, api, store, new JobHandler(store, messages, session, waker, Identity, time, options.JobTtl),
            new CommandHandler(store, services.GetRequiredService<IResetRequests>(), Machine, new NoPairing(), Pacing, time, NullLogger<CommandHandler>.Instance),
            new StateReporter(Machine, api, store, time), Status, new Signal(), time, NullLogger.Instance, "1.5.0", "test board");
    }

    public TempDirectory Directory { get; }
    public GatewayStore Store { get; }
    public FakeTimeProvider Time { get; }
    public TunnelOptions Options { get; }
    public ObservedMessageStore Messages { get; }
    public CountingWaker Waker { get; }
    public GatewayStateMachine Machine { get; }
    public EnrollmentCodes Codes { get; }
    public DeviceIdentity Identity { get; }
    public TunnelLinkStatus Status { get; }
    public TunnelParts Parts { get; }
    public PacingGate Pacing { get; }
    public HealthCounters Counters => _services.GetRequiredService<HealthCounters>();
    public ResetCoordinator Reset => _services.GetRequiredService<ResetCoordinator>();

    public static async Task<TunnelRig> StartAsync(Action<TunnelOptions> configure, DateTimeOffset? now = null)
    {
        var dir = new TempDirectory();
        var time = new FakeTimeProvider(now ?? DateTimeOffset.UtcNow);
        var store = await GatewayStore.OpenAsync(dir.Path, time, NullLogger.Instance, CancellationToken.None);
        var options = new TunnelOptions { EnrollmentCode = "WSMS-7K2P-9QXD" };
        configure(options);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddCore();
        services.AddStorage(store);
        return new TunnelRig(dir, store, time, options, services.BuildServiceProvider());
    }

    /// <summary>A rig pointed at <paramref name="platform"/> (its URL and test CA), with <paramref name="more"/> options on top.</summary>
    public static Task<TunnelRig> StartAsync(ScriptedPlatform platform, Action<TunnelOptions>? more = null, DateTimeOffset? now = null) =>
        StartAsync(o => { o.Url = platform.Url; o.CaFile = platform.CaFile; more?.Invoke(o); }, now);

    /// <summary>As <see cref="StartAsync(ScriptedPlatform, Action{TunnelOptions}?, DateTimeOffset?)"/>, already linked to WhatsApp.</summary>
    public static async Task<TunnelRig> StartLinkedAsync(ScriptedPlatform platform, Action<TunnelOptions>? more = null)
    {
        var rig = await StartAsync(platform, more);
        await rig.LinkAsync();
        return rig;
    }

    public TunnelConnector Connector() => new(Options, new TlsValidator(Options, Time), Time);

    /// <summary>Connects (the platform accepting at the same time) and returns the session's run and the platform's end of it.</summary>
    public async Task<(Task<SessionEnd> Session, PeerConnection Peer)> ConnectAsync(ScriptedPlatform platform, CancellationToken cancellationToken)
    {
        var accept = platform.AcceptAsync(cancellationToken);
        var socket = await Connector().ConnectAsync(cancellationToken);
        var peer = await accept ?? throw new InvalidOperationException("the platform's handshake failed");
        var frames = new FrameSocket(socket);
        return (Task.Run(() => new TunnelSession(Parts, frames).RunAsync(cancellationToken), cancellationToken), peer);
    }

    /// <summary>Marks the store as linked to WhatsApp (a session's secrets exist), so sends are accepted.</summary>
    public Task LinkAsync() =>
        Store.ReplaceSecretsAsync(SecretScopes.WhatsApp, new Dictionary<string, byte[]> { ["noise-key"] = [1, 2, 3] }, CancellationToken.None);

    /// <summary>An inbound text stored as the client stores it, giving one stream event.</summary>
    public Task AddInboundAsync(string id, string text) =>
        Messages.CommitInboundAsync(new SignalChanges(), new InboundMessage(id, "4915112345678@s.whatsapp.net", "4915112345678@s.whatsapp.net", null,
            Time.GetUtcNow(), "text", text, false, "Alice", null, null), CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Store.DisposeAsync();
        Directory.Dispose();
    }

    internal sealed class CountingWaker : IOutboxWaker
    {
        public int Wakes;

        public void WakeOutbox() => Interlocked.Increment(ref Wakes);
    }

    /// <summary>A gateway with no WhatsApp connection: pairing codes cannot be asked for (what the link says then).</summary>
    private sealed class NoPairing : IPairingControl
    {
        public Task<string> RequestPairingCodeAsync(string phone, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("a pairing code can be asked for only while unpaired and connected");
    }
}
