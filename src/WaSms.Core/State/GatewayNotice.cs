namespace WaSms.Core.State;

/// <summary>
/// Something the customer must be told for a while, beside the state: it travels in every
/// <see cref="GatewaySnapshot"/> until <see cref="Until"/>, so every observer (screen, status, MQTT,
/// later the tunnel) sees the same notice. Posted with a <see cref="StateChange"/> or <see cref="GatewayStateMachine.Post"/>.
/// </summary>
/// <param name="Until">When the notice lapses.</param>
public abstract record GatewayNotice(DateTimeOffset Until);

/// <summary>A reset stopped because <paramref name="Undelivered"/> items would be lost; a second request before <paramref name="Until"/> discards them.</summary>
/// <param name="FactoryReset">True for a factory reset, false for a relink.</param>
/// <param name="Undelivered">Items that could not be flushed.</param>
/// <param name="Until">When the question lapses.</param>
public sealed record ResetNotice(bool FactoryReset, int Undelivered, DateTimeOffset Until) : GatewayNotice(Until);

/// <summary>The provisioning file was refused: nothing from it was applied, the last good settings stay.</summary>
/// <param name="Key">The offending key.</param>
/// <param name="Line">Its 1-based line in the file (0 when the file could not be written back).</param>
/// <param name="Message">What is wrong, for a person.</param>
/// <param name="Until">When the screen goes back to normal (the problem stays in <c>status</c> and the log).</param>
public sealed record SetupNotice(string Key, int Line, string Message, DateTimeOffset Until) : GatewayNotice(Until);

/// <summary>
/// The platform offered a firmware update (its <c>update-available</c> command, docs/tunnel.md §7.1): shown on the
/// online screen, in <c>status</c> and MQTT until a newer offer replaces it (posting one replaces this) or the
/// installer withdraws it (<see cref="GatewayStateMachine.Withdraw{T}"/>). It never lapses by itself, and carries only
/// what a person is shown: the bundle's URL and signature stay in the store.
/// </summary>
/// <param name="Version">The offered firmware version, e.g. <c>1.6.0</c>.</param>
public sealed record UpdateNotice(string Version) : GatewayNotice(DateTimeOffset.MaxValue);
