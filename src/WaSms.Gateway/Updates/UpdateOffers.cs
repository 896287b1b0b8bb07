using System.Text.Json;
using WaSms.Core.State;
using WaSms.Gateway.Tunnel.Protocol;
using WaSms.Storage;

namespace WaSms.Gateway.Updates;

/// <summary>
/// The platform's <c>update-available</c> offer (docs/tunnel.md §7.1): kept in the store under
/// <see cref="Tunnel.Sync.CommandHandler.UpdateSetting"/> (the command handler writes it with the command's seq) and
/// shown to every observer as an <see cref="UpdateNotice"/> in the state machine's snapshot.
/// </summary>
public static class UpdateOffers
{
    /// <summary>The stored offer, or null (none, or a value that does not read as one).</summary>
    public static async Task<UpdateOffer?> ReadAsync(GatewayStore store, CancellationToken cancellationToken) =>
        Parse(await store.GetSettingAsync(Tunnel.Sync.CommandHandler.UpdateSetting, cancellationToken));

    /// <summary>The offer in the setting's JSON, or null when it does not read as one with a version.</summary>
    public static UpdateOffer? Parse(string? json)
    {
        if (json is null)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize(json, TunnelJson.Default.UpdateOffer) is { Version.Length: > 0 } offer ? offer : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Shows the stored offer again at start-up, so it survives restarts; returns it, or null when there is none.
    /// An offer of the version now running (<paramref name="runningVersion"/>) was installed: it is cleared instead.
    /// </summary>
    public static async Task<UpdateOffer?> RestoreAsync(GatewayStore store, GatewayStateMachine machine, string? runningVersion, CancellationToken cancellationToken)
    {
        if (await ReadAsync(store, cancellationToken) is not { } offer)
        {
            return null;
        }
        if (runningVersion is not null && string.Equals(offer.Version, runningVersion, StringComparison.OrdinalIgnoreCase))
        {
            await ClearAsync(store, machine, cancellationToken);
            return null;
        }
        machine.Post(new UpdateNotice(offer.Version!));
        return offer;
    }

    /// <summary>
    /// Forgets the offer and takes it off the screen, <c>status</c> and MQTT: for the installer (issue #13) once the
    /// offered version is installed. A later offer from the platform shows again.
    /// </summary>
    public static async Task ClearAsync(GatewayStore store, GatewayStateMachine machine, CancellationToken cancellationToken)
    {
        await store.DeleteSettingAsync(Tunnel.Sync.CommandHandler.UpdateSetting, cancellationToken);
        machine.Withdraw<UpdateNotice>();
    }
}
