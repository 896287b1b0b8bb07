namespace WaSms.Hardware.Button;

public sealed class ButtonOptions
{
    public TimeSpan RelinkHold { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan FactoryResetHold { get; set; } = TimeSpan.FromSeconds(15);
}
