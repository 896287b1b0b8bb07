using Microsoft.Extensions.Logging;
using WaSms.Hardware.Board;
using WaSms.Hardware.Headless;
using WaSms.Hardware.Pi;
using WaSms.Hardware.Simulated;

namespace WaSms.Hardware;

/// <summary>Opens the board <see cref="BoardOptions.Kind"/> names (Auto: a Pi when one is detected, else headless).</summary>
public static class BoardFactory
{
    public static IBoard Create(BoardOptions options, TimeProvider time, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(options);
        var kind = options.Kind;
        if (kind == BoardKind.Auto)
        {
            kind = PiBoard.IsDetected() ? BoardKind.Pi : BoardKind.Headless;
        }
        switch (kind)
        {
            case BoardKind.Simulated:
                return new SimulatedBoard(options, time);
            case BoardKind.Pi:
                try
                {
                    return new PiBoard(options, time);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PlatformNotSupportedException or InvalidOperationException or DllNotFoundException)
                {
                    // Expected on a machine without GPIO: one line with the reason, no stack trace.
                    log.LogError("Raspberry Pi GPIO cannot be opened ({Reason}); running without LEDs and button", ex.Message);
                    return new HeadlessBoard(options, time);
                }
            default:
                return new HeadlessBoard(options, time);
        }
    }
}
