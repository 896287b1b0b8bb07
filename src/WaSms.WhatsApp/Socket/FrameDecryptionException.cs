namespace WaSms.WhatsApp.Socket;

/// <summary>
/// Thrown by <see cref="NoiseSocket.ReceiveFrameAsync"/> when a transport frame fails AES-GCM
/// authentication. The read counter has still advanced (as in whatsmeow), so the caller may drop
/// the frame and keep reading, or close the connection.
/// </summary>
public sealed class FrameDecryptionException : WaSocketException
{
    /// <summary>Creates the exception for the frame read with <paramref name="counter"/>.</summary>
    public FrameDecryptionException(uint counter, Exception innerException)
        : base($"Transport frame {counter} failed to decrypt.", innerException)
    {
        Counter = counter;
    }

    /// <summary>The read counter the frame was opened with.</summary>
    public uint Counter { get; }
}
