using Microsoft.Data.Sqlite;
using WaSms.Core.Reset;

namespace WaSms.Storage;

public sealed partial class GatewayStore
{
    /// <summary>The reset recorded as in progress, or null.</summary>
    public Task<ResetIntent?> GetPendingResetAsync(CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, tx) =>
        {
            await using var command = Command(c, tx, "SELECT kind, discard_confirmed, origin, started_at FROM pending_reset WHERE only_row = 1");
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return (ResetIntent?)null;
            }
            var kind = reader.GetString(0) switch
            {
                "relink" => ResetKind.Relink,
                "factory" => ResetKind.FactoryReset,
                var other => throw new StoreException($"pending_reset has an unknown kind \"{other}\""),
            };
            return new ResetIntent(kind, reader.GetInt64(1) != 0, reader.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)));
        }, cancellationToken);

    /// <summary>
    /// Records <paramref name="intent"/> as the reset in progress (committed with synchronous=FULL before
    /// this returns). A factory reset already pending stays a factory reset: a relink recorded over it
    /// (after its wipe failed) must not turn it into a relink that keeps the platform data.
    /// </summary>
    public Task SetPendingResetAsync(ResetIntent intent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(intent);
        return InTransactionAsync((c, tx) => WritePendingResetAsync(c, tx, intent, cancellationToken), cancellationToken);
    }

    /// <summary><see cref="SetPendingResetAsync"/> inside a caller's transaction (the platform's reset command records it with its result).</summary>
    private static async Task<int> WritePendingResetAsync(SqliteConnection c, SqliteTransaction tx, ResetIntent intent, CancellationToken cancellationToken)
    {
        await using var command = Command(c, tx,
            "INSERT INTO pending_reset (only_row, kind, discard_confirmed, origin, started_at) VALUES (1, $kind, $confirmed, $origin, $at) " +
            "ON CONFLICT (only_row) DO UPDATE SET kind = CASE WHEN kind = 'factory' THEN 'factory' ELSE excluded.kind END, " +
            "discard_confirmed = excluded.discard_confirmed, origin = excluded.origin, started_at = excluded.started_at");
        command.Parameters.AddWithValue("$kind", intent.Kind == ResetKind.FactoryReset ? "factory" : "relink");
        command.Parameters.AddWithValue("$confirmed", intent.DiscardConfirmed ? 1 : 0);
        command.Parameters.AddWithValue("$origin", intent.Origin);
        command.Parameters.AddWithValue("$at", intent.StartedAt.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Forgets the reset in progress.</summary>
    public Task ClearPendingResetAsync(CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, tx) =>
        {
            await using var command = Command(c, tx, "DELETE FROM pending_reset");
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
}
