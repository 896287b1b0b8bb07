namespace WaSms.Hardware.Leds;

public enum LedColor
{
    Green,
    Amber,
    Red,
}
