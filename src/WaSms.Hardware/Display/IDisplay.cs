using WaSms.Hardware.Imaging;

namespace WaSms.Hardware.Display;

/// <summary>A 1-bit panel. Real e-paper drivers and the simulated panel implement this.</summary>
public interface IDisplay
{
    /// <summary>Short description for logs and status ("simulated 250x122", "SSD1680 2.13in").</summary>
    string Description { get; }

    int Width { get; }

    int Height { get; }

    /// <summary>False when no panel answered; the service keeps running and reports "display missing".</summary>
    bool IsPresent { get; }

    /// <summary>Puts <paramref name="frame"/> on the panel.</summary>
    /// <param name="frame">The frame, at <see cref="Width"/> × <see cref="Height"/>.</param>
    /// <param name="full">Full refresh (clears ghosting) rather than a partial one.</param>
    /// <param name="cancellationToken">Stops waiting for a busy panel.</param>
    Task RefreshAsync(MonoFrame frame, bool full, CancellationToken cancellationToken);
}
