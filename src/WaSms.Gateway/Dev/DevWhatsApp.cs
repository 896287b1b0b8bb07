using WaSms.WhatsApp.Emulator;

namespace WaSms.Gateway.Dev;

/// <summary>
/// Dev mode's WhatsApp: the emulator on loopback plus an emulated phone that can scan the QR the
/// gateway shows (<c>wasms-gateway dev scan</c>). Null members outside dev mode.
/// </summary>
public sealed class DevWhatsApp(WaEmulator? emulator)
{
    /// <summary>The emulated phone's number (a fake, in the reserved 555 range).</summary>
    public const string PhoneNumber = "15555550123";

    private readonly PhoneSimulator? _phone = emulator is null ? null : new PhoneSimulator(emulator, PhoneNumber);

    public bool Enabled => emulator is not null;

    /// <summary>The emulated phone scans <paramref name="qr"/> and links the gateway showing it.</summary>
    /// <returns>What happened, for the CLI.</returns>
    /// <exception cref="InvalidOperationException">Not in dev mode.</exception>
    /// <exception cref="EmulatorException">The QR is not usable (expired, unknown, malformed).</exception>
    public async Task<string> ScanAsync(string qr, CancellationToken cancellationToken)
    {
        if (_phone is null)
        {
            throw new InvalidOperationException("dev scan works only in dev mode (run --simulate without WhatsApp:ServerUrl)");
        }
        var device = await _phone.ScanAsync(qr, cancellationToken);
        return $"The emulated phone +{PhoneNumber} scanned the QR and linked {device.Jid}";
    }

    /// <summary>The emulated phone enters the pairing code the gateway shows (asked for with <c>pair-code +15555550123</c>).</summary>
    /// <exception cref="InvalidOperationException">Not in dev mode.</exception>
    /// <exception cref="EmulatorException">No code request is pending for the phone, or the code is wrong.</exception>
    public async Task<string> EnterPairingCodeAsync(string code, CancellationToken cancellationToken)
    {
        if (_phone is null)
        {
            throw new InvalidOperationException("dev code works only in dev mode (run --simulate without WhatsApp:ServerUrl)");
        }
        await _phone.EnterPairingCodeAsync(code, cancellationToken);
        return $"The emulated phone +{PhoneNumber} entered the code {code}";
    }
}
