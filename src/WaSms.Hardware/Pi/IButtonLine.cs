namespace WaSms.Hardware.Pi;

/// <summary>
/// The button's GPIO input: its level and every edge on it, contact bounce included (the debounce is
/// <see cref="GpioButtonSource"/>'s). The line is requested with the internal pull-up: the button
/// shorts it to ground, so released reads high and pressed reads low.
/// </summary>
public interface IButtonLine : IDisposable
{
    /// <summary>True while the line reads low (pressed, or shorted).</summary>
    bool IsLow { get; }

    /// <summary>Starts calling <paramref name="onEdge"/> on every rising or falling edge. Called once.</summary>
    void Start(Action onEdge);
}
