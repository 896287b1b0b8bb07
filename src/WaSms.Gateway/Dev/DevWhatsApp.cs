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

    // Merge point: the emulator's contacts (WaEmulator.Contacts, issue 11's emulator branch) are not in
    // this branch; until they are, dev mode has a phone but no contacts. At the merge these become
    //   emulator.Contacts.SayAsync(from, text, ct) / GroupSayAsync(group, from, text, ct) and
    //   [.. emulator.Contacts.Inbox(contact).Select(m => new InboxReport(m.Id, m.Chat, m.From, m.Text, m.At))],
    // and RunCommand calls emulator.Contacts.AddDevDefaults("+" + IDevPhone.PhoneNumber) after Start().
    public Task<string> SayAsync(string from, string text, CancellationToken cancellationToken) => throw NoContacts();

    public Task<string> GroupSayAsync(string group, string from, string text, CancellationToken cancellationToken) => throw NoContacts();

    public IReadOnlyList<InboxReport> Inbox(string contact) => throw NoContacts();

    private static InvalidOperationException NoContacts() => new("this build's WhatsApp emulator has no emulated contacts yet");
}
