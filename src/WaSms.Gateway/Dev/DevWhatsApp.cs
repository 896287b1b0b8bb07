using WaSms.Emulators.WhatsApp;
using WaSms.Gateway.Control;

namespace WaSms.Gateway.Dev;

/// <summary>
/// Dev mode's WhatsApp: the emulator on loopback plus an emulated phone that can scan the QR the
/// gateway shows (<c>wasms-gateway dev scan</c>). Only in builds with <c>Emulators=true</c>.
/// </summary>
public sealed class DevWhatsApp(WaEmulator emulator) : IDevPhone
{
    private readonly PhoneSimulator _phone = new(emulator, IDevPhone.PhoneNumber);

    public bool Enabled => true;

    /// <inheritdoc />
    public async Task<string> ScanAsync(string qr, CancellationToken cancellationToken)
    {
        try
        {
            var device = await _phone.ScanAsync(qr, cancellationToken);
            return $"The emulated phone +{IDevPhone.PhoneNumber} scanned the QR and linked {device.Jid}";
        }
        catch (EmulatorException ex)
        {
            throw new InvalidOperationException(ex.Message, ex);
        }
    }

    /// <inheritdoc />
    public async Task<string> EnterPairingCodeAsync(string code, CancellationToken cancellationToken)
    {
        try
        {
            await _phone.EnterPairingCodeAsync(code, cancellationToken);
            return $"The emulated phone +{IDevPhone.PhoneNumber} entered the code {code}";
        }
        catch (EmulatorException ex)
        {
            throw new InvalidOperationException(ex.Message, ex);
        }
    }

    /// <inheritdoc />
    public Task<string> SayAsync(string from, string text, CancellationToken cancellationToken) =>
        Contact(() => emulator.Contacts.SayAsync(from, text, cancellationToken));

    /// <inheritdoc />
    public Task<string> GroupSayAsync(string group, string from, string text, CancellationToken cancellationToken) =>
        Contact(() => emulator.Contacts.GroupSayAsync(group, from, text, cancellationToken));

    /// <inheritdoc />
    public IReadOnlyList<InboxReport> Inbox(string contact) =>
        Contact(() => Task.FromResult<IReadOnlyList<InboxReport>>(
            [.. emulator.Contacts.Inbox(contact).Select(m => new InboxReport(m.Id, m.Chat, m.From, m.Text, m.At))])).GetAwaiter().GetResult();

    /// <summary>The contacts' failures (unknown contact or group, not linked yet) as the one-line errors the CLI prints.</summary>
    private static async Task<T> Contact<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (EmulatorException ex)
        {
            throw new InvalidOperationException(ex.Message, ex);
        }
    }
}
