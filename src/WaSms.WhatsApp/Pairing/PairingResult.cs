using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Pairing;

/// <summary>
/// A verified pair-success: the credentials to persist (now with JID, LID and account) and the
/// <c>pair-device-sign</c> iq to send after saving them.
/// </summary>
public sealed record PairingResult(WaCredentials Credentials, Node Reply);
