using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WaSms.Hardware.Board;
using WaSms.Hardware.Button;
using WaSms.Hardware.Display;
using WaSms.Hardware.Leds;

namespace WaSms.Hardware;

public static class HardwareServiceCollectionExtensions
{
    /// <summary>
    /// Registers the board (<see cref="BoardFactory"/>) and its three loops, started in this order:
    /// the display (state and notices on the panel and in <c>display/current.png</c>), the LEDs, and
    /// the button (gestures to the reset and retry requests). Needs Core's services (<c>AddCore</c>),
    /// a <c>TimeProvider</c> and logging; an <see cref="IScreenStatsSource"/> from the host is optional.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="options">The bound and validated <c>Board</c> section.</param>
    /// <param name="stateDirectory">Where <c>display/current.png</c> is written.</param>
    public static IServiceCollection AddHardware(this IServiceCollection services, BoardOptions options, string stateDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        services.AddSingleton(sp => BoardFactory.Create(options, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("WaSms.Hardware.Board")));
        // The controllers take only the part of the board they drive, so a device folder never imports Board/.
        services.AddSingleton(sp => sp.GetRequiredService<IBoard>().Display);
        services.AddSingleton(sp => sp.GetRequiredService<IBoard>().Leds);
        services.AddSingleton(sp => sp.GetRequiredService<IBoard>().Button);
        services.AddSingleton(new FrameFile(stateDirectory));
        services.AddSingleton(options.ToRefreshOptions());
        services.AddSingleton<DisplayController>();
        services.AddHostedService(sp => sp.GetRequiredService<DisplayController>());
        services.AddHostedService<LedController>();
        services.AddSingleton<ButtonController>();
        services.AddHostedService(sp => sp.GetRequiredService<ButtonController>());
        return services;
    }
}
