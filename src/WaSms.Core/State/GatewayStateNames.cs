using System.Diagnostics.CodeAnalysis;

namespace WaSms.Core.State;

/// <summary>The kebab-case names of <see cref="GatewayState"/> used on every external interface.</summary>
public static class GatewayStateNames
{
    private static readonly string[] Names =
    [
        "booting", "unpaired", "pairing", "connecting", "online", "degraded",
        "relink-needed", "client-outdated", "temp-banned", "resetting", "updating", "fatal",
    ];

    public static IReadOnlyList<string> All => Names;

    public static string ToName(this GatewayState state) => Names[(int)state];

    public static bool TryParse(string? name, [NotNullWhen(true)] out GatewayState? state)
    {
        var index = Array.IndexOf(Names, name);
        state = index >= 0 ? (GatewayState)index : null;
        return state is not null;
    }
}
