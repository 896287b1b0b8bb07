namespace WaSms.WhatsApp.Socket;

/// <summary>What a completed client handshake yields.</summary>
/// <param name="Socket">The encrypted transport.</param>
/// <param name="ServerStaticKey">The server's verified Noise static key (the certified leaf key).</param>
public sealed record NoiseInitiatorResult(NoiseSocket Socket, ReadOnlyMemory<byte> ServerStaticKey);
