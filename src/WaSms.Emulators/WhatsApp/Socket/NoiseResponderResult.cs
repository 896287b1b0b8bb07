using WaSms.WhatsApp.Socket;

namespace WaSms.Emulators.WhatsApp.Socket;

/// <summary>What a completed server handshake yields.</summary>
/// <param name="Socket">The encrypted transport.</param>
/// <param name="ClientStaticKey">The client's Noise static key (from ClientFinish.static).</param>
/// <param name="ClientPayload">The decrypted ClientPayload bytes (from ClientFinish.payload).</param>
public sealed record NoiseResponderResult(NoiseSocket Socket, ReadOnlyMemory<byte> ClientStaticKey, ReadOnlyMemory<byte> ClientPayload);
