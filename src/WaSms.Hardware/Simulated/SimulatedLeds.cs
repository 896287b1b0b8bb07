using WaSms.Hardware.Leds;

namespace WaSms.Hardware.Simulated;

/// <summary>LEDs that only remember their pattern; <c>status</c> and the simulator page read it.</summary>
public sealed class SimulatedLeds : ILedOutput
{
    private LedPattern _current = new(LedMode.Off, LedMode.Off, LedMode.Off);

    public LedPattern Current => Volatile.Read(ref _current);

    /// <summary>Raised after every <see cref="Show"/>, on the caller's thread; handlers must be quick.</summary>
    public event EventHandler? Changed;

    public void Show(LedPattern pattern)
    {
        Volatile.Write(ref _current, pattern);
        Changed?.Invoke(this, EventArgs.Empty);
    }
}
