namespace WaSms.Hardware.Button;

public enum ButtonGesture
{
    /// <summary>Released before the relink threshold: redraw the screen / re-issue an expired QR.</summary>
    ShortPress,
    /// <summary>Held past <see cref="ButtonOptions.RelinkHold"/>: log out of WhatsApp and show a new QR.</summary>
    Relink,
    /// <summary>Held past <see cref="ButtonOptions.FactoryResetHold"/>: also forget the platform enrollment.</summary>
    FactoryReset,
}
