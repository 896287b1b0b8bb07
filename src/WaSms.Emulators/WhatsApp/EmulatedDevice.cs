using WaSms.WhatsApp.Binary;

namespace WaSms.Emulators.WhatsApp;

/// <summary>A companion device the emulator's phone linked: what the server remembers to accept its logins.</summary>
/// <param name="Jid">The device's phone-number JID (<c>number:device@s.whatsapp.net</c>).</param>
/// <param name="Lid">The device's LID (<c>lid:device@lid</c>).</param>
/// <param name="NoisePublicKey">The Noise static key the device must log in with.</param>
/// <param name="IdentityPublicKey">The device's identity key.</param>
/// <param name="AccountSignatureKey">The phone's identity key that signed the device.</param>
public sealed record EmulatedDevice(Jid Jid, Jid Lid, ReadOnlyMemory<byte> NoisePublicKey, ReadOnlyMemory<byte> IdentityPublicKey, ReadOnlyMemory<byte> AccountSignatureKey);
