using WaSms.WhatsApp.Pairing;

namespace WaSms.WhatsApp.Events;

/// <summary>A pair-success failed verification; the client answered with an error iq (docs/whatsapp.md §4.4).</summary>
public sealed record PairError(PairingError Error, string Message) : WaEvent;
