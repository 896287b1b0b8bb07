namespace WaSms.Hardware.Board;

public enum BoardKind
{
    /// <summary>A Raspberry Pi when one is detected (device-tree model under /sys/firmware/devicetree or /proc/device-tree, and /dev/gpiochip0), headless otherwise.</summary>
    Auto,
    /// <summary>Raspberry Pi GPIO/SPI.</summary>
    Pi,
    /// <summary>Simulated panel, LEDs and button (dev mode, tests).</summary>
    Simulated,
    /// <summary>No panel, LEDs or GPIO (PC, VPS): the QR is on <c>wasms-gateway qr</c> and the PNG file.</summary>
    Headless,
}
