using WaSms.WhatsApp.Binary;

namespace WaSms.Emulators.WhatsApp;

/// <summary>
/// A <c>companion_hello</c> the emulator accepted (docs/whatsapp.md §9): the connection it came on,
/// the companion's wrapped ephemeral key and the pairing ref, waiting for the phone of
/// <see cref="PhoneNumber"/> to enter the code. <see cref="Finish"/> receives the companion's
/// <c>companion_finish</c> iq, which the phone answers.
/// </summary>
internal sealed class PendingCodeLink(string phoneNumber, EmulatorConnection connection, byte[] wrappedCompanionEphemeral, byte[] reference)
{
    public string PhoneNumber { get; } = phoneNumber;

    public EmulatorConnection Connection { get; } = connection;

    public byte[] WrappedCompanionEphemeral { get; } = wrappedCompanionEphemeral;

    public byte[] Ref { get; } = reference;

    public TaskCompletionSource<Node> Finish { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
