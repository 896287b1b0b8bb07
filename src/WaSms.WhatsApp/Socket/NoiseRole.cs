namespace WaSms.WhatsApp.Socket;

/// <summary>Which side of the handshake a <see cref="NoiseHandshake"/> is on; it decides which split key writes.</summary>
public enum NoiseRole
{
    /// <summary>The client (WhatsApp Web, this gateway): writes with the first split key.</summary>
    Initiator,

    /// <summary>The server (WhatsApp, our emulator): writes with the second split key.</summary>
    Responder,
}
