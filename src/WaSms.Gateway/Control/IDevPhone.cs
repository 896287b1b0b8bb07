namespace WaSms.Gateway.Control;

/// <summary>
/// Dev mode's emulated phone as the control socket and the simulator page use it. Only builds with
/// the emulators (<c>Emulators=true</c>, the JIT build) have one (<c>Dev/DevWhatsApp.cs</c>);
/// everywhere else it is <see cref="NoDevPhone"/>.
/// </summary>
public interface IDevPhone
{
    /// <summary>The emulated phone's number (a fake, in the reserved 555 range).</summary>
    public const string PhoneNumber = "15555550123";

    /// <summary>True in dev mode (the built-in emulator runs).</summary>
    bool Enabled { get; }

    /// <summary>The emulated phone scans <paramref name="qr"/> and links the gateway showing it.</summary>
    /// <returns>What happened, for the CLI.</returns>
    /// <exception cref="InvalidOperationException">Not in dev mode, or the QR is not usable (expired, unknown, malformed).</exception>
    Task<string> ScanAsync(string qr, CancellationToken cancellationToken);

    /// <summary>The emulated phone enters the pairing code the gateway shows.</summary>
    /// <exception cref="InvalidOperationException">Not in dev mode, or no code request is pending for the phone.</exception>
    Task<string> EnterPairingCodeAsync(string code, CancellationToken cancellationToken);

    /// <summary>Emulated contact <paramref name="from"/> (a number) sends <paramref name="text"/> to the linked number.</summary>
    /// <returns>The message id.</returns>
    /// <exception cref="InvalidOperationException">Not in dev mode, or no such contact.</exception>
    Task<string> SayAsync(string from, string text, CancellationToken cancellationToken);

    /// <summary>Emulated contact <paramref name="from"/> sends <paramref name="text"/> to <paramref name="group"/> (JID or subject).</summary>
    /// <exception cref="InvalidOperationException">Not in dev mode, no such contact or group.</exception>
    Task<string> GroupSayAsync(string group, string from, string text, CancellationToken cancellationToken);

    /// <summary>What emulated contact <paramref name="contact"/> has received (reading it sends read receipts).</summary>
    /// <exception cref="InvalidOperationException">Not in dev mode, or no such contact.</exception>
    IReadOnlyList<InboxReport> Inbox(string contact);
}

/// <summary>Outside dev mode: there is no emulated phone.</summary>
public sealed class NoDevPhone : IDevPhone
{
    public bool Enabled => false;

    public Task<string> ScanAsync(string qr, CancellationToken cancellationToken) => throw DevOnly("dev scan");

    public Task<string> EnterPairingCodeAsync(string code, CancellationToken cancellationToken) => throw DevOnly("dev code");

    public Task<string> SayAsync(string from, string text, CancellationToken cancellationToken) => throw DevOnly("dev say");

    public Task<string> GroupSayAsync(string group, string from, string text, CancellationToken cancellationToken) => throw DevOnly("dev group-say");

    public IReadOnlyList<InboxReport> Inbox(string contact) => throw DevOnly("dev inbox");

    private static InvalidOperationException DevOnly(string command) =>
        new($"{command} works only in dev mode (run --simulate without WhatsApp:ServerUrl)");
}
