namespace WaSms.Hardware.Display.Ssd1680;

/// <summary>
/// Thrown by <see cref="Ssd1680"/> when the panel's BUSY line stays high longer than the timeout
/// allows: the panel is missing, unpowered or dead. <see cref="Step"/> names what was waited for.
/// </summary>
public sealed class DisplayTimeoutException : Exception
{
    public DisplayTimeoutException()
        : this("BUSY", TimeSpan.Zero)
    {
    }

    public DisplayTimeoutException(string message)
        : base(message)
    {
        Step = "BUSY";
    }

    public DisplayTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
        Step = "BUSY";
    }

    public DisplayTimeoutException(string step, TimeSpan timeout)
        : base($"e-paper BUSY stayed high for {timeout.TotalMilliseconds:0} ms after {step}")
    {
        Step = step;
        Timeout = timeout;
    }

    /// <summary>The step after which BUSY did not go low ("hardware reset", "software reset", "full refresh"…).</summary>
    public string Step { get; }

    public TimeSpan Timeout { get; }
}
