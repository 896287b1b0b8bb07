namespace WaSms.WhatsApp.Socket;

/// <summary>What was wrong with the framed byte stream (see <see cref="FrameException"/>).</summary>
public enum FrameError
{
    /// <summary>A frame (or a message) was larger than the configured maximum.</summary>
    TooLarge,

    /// <summary>The connection ended in the middle of a frame.</summary>
    Truncated,

    /// <summary>The first message did not start with a valid <c>WA</c> connection header.</summary>
    BadConnectionHeader,
}
