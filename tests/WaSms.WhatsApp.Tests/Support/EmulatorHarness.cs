using WaSms.Emulators.WhatsApp;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Store;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Socket;
using WaSms.WhatsApp.Tests.Client;

namespace WaSms.WhatsApp.Tests.Support;

/// <summary>
/// One started <see cref="WaEmulator"/> and the clients a test runs against it, each with in-memory
/// stores and an event collector. Disposing cancels every client still running, waits for it, then
/// stops the emulator, so a failing test leaves nothing behind.
/// </summary>
internal sealed class EmulatorHarness : IAsyncDisposable
{
    /// <summary>How long a client may run before its token cancels (a hung test fails instead of hanging).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    private readonly List<HarnessClient> _clients = [];

    private EmulatorHarness(TimeProvider? time)
    {
        Time = time ?? TimeProvider.System;
        Emulator = new WaEmulator(time: time);
        Emulator.Start();
    }

    public WaEmulator Emulator { get; }

    public TimeProvider Time { get; }

    /// <summary>Starts an emulator on a free loopback port, on <paramref name="time"/> (the system clock by default).</summary>
    public static EmulatorHarness Start(TimeProvider? time = null) => new(time);

    /// <summary>Options that reach this emulator and trust its test root, on the harness's clock.</summary>
    public WaClientOptions Options() =>
        new() { ServerUri = Emulator.Uri, Trust = CertificateTrust.FromHex(Emulator.TrustedRootKeyHex), Time = Time };

    /// <summary>A client with the given (or empty) stores; call <see cref="HarnessClient.Start"/> or <see cref="HarnessClient.RunToEndAsync"/>.</summary>
    public HarnessClient NewClient(InMemoryCredentialStore? credentials = null, InMemoryPreKeyStore? preKeys = null, WaClientOptions? options = null, TimeSpan? timeout = null)
    {
        var client = new HarnessClient(options ?? Options(), credentials ?? new InMemoryCredentialStore(), preKeys ?? new InMemoryPreKeyStore(), timeout ?? DefaultTimeout);
        _clients.Add(client);
        return client;
    }

    /// <summary>A phone of this emulator.</summary>
    public PhoneSimulator Phone(string phoneNumber = "15550001111") => new(Emulator, phoneNumber);

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        await Emulator.DisposeAsync();
    }
}

/// <summary>A <see cref="WaClient"/> of an <see cref="EmulatorHarness"/>, its stores, events and run.</summary>
internal sealed class HarnessClient : IAsyncDisposable
{
    private readonly CancellationTokenSource _cts;

    public HarnessClient(WaClientOptions options, InMemoryCredentialStore credentials, InMemoryPreKeyStore preKeys, TimeSpan timeout)
    {
        Credentials = credentials;
        PreKeys = preKeys;
        Client = new WaClient(options, credentials, preKeys);
        Events = new EventCollector(Client);
        _cts = new CancellationTokenSource(timeout);
    }

    public WaClient Client { get; }

    public EventCollector Events { get; }

    public InMemoryCredentialStore Credentials { get; }

    public InMemoryPreKeyStore PreKeys { get; }

    /// <summary>Cancelled by <see cref="StopAsync"/>, on dispose, or when the timeout passes.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>The running <see cref="WaClient.RunAsync"/>, after <see cref="Start"/>.</summary>
    public Task<ConnectionOutcome> Run { get; private set; } = Task.FromResult(ConnectionOutcome.Ended);

    /// <summary>Starts the client's run in the background.</summary>
    public HarnessClient Start()
    {
        Run = Client.RunAsync(_cts.Token);
        return this;
    }

    /// <summary>Runs the client until it ends by itself (logged out, a fatal error).</summary>
    public Task<ConnectionOutcome> RunToEndAsync() => Start().Run;

    /// <summary>Waits for the QR, lets <paramref name="phone"/> scan it and waits for <see cref="Connected"/>.</summary>
    public async Task<EmulatedDevice> LinkAsync(PhoneSimulator phone)
    {
        ArgumentNullException.ThrowIfNull(phone);
        var qr = await Events.WaitForAsync<QrIssued>();
        var device = await phone.ScanAsync(qr.Code, Token);
        await Events.WaitForAsync<Connected>();
        return device;
    }

    /// <summary>Cancels the run and checks that it ended by that cancellation.</summary>
    public async Task StopAsync()
    {
        await _cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Run);
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        await ((Task)Run).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _cts.Dispose();
    }
}
