using Microsoft.Data.Sqlite;
using WaSms.WhatsApp.Signal;
using WaSms.WhatsApp.Store;

namespace WaSms.Storage;

/// <summary>
/// The Signal state of a secret scope's peers (migration 0005): sessions, identities, sender keys and
/// the LID↔phone-number map. <see cref="ApplySignalChangesAsync"/> is the one writer, used alone by
/// <see cref="CommitSignalAsync"/> and inside the message transactions (GatewayStore.Inbound.cs,
/// GatewayStore.SendJobs.cs), so a ratchet step is never saved apart from its message.
/// </summary>
public sealed partial class GatewayStore
{
    /// <summary>The session records of those of <paramref name="addresses"/> that have one.</summary>
    public Task<IReadOnlyDictionary<SignalAddress, byte[]>> LoadSessionsAsync(string scope, IReadOnlyCollection<SignalAddress> addresses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        return InTransactionAsync<IReadOnlyDictionary<SignalAddress, byte[]>>(async (c, tx) =>
        {
            var found = new Dictionary<SignalAddress, byte[]>();
            var select = Prepared(c, tx, "SELECT record FROM signal_sessions WHERE scope = $scope AND name = $name AND device = $device");
            select.Parameters.AddWithValue("$scope", scope);
            var name = select.Parameters.Add("$name", SqliteType.Text);
            var device = select.Parameters.Add("$device", SqliteType.Integer);
            foreach (var address in addresses)
            {
                name.Value = address.Name;
                device.Value = (long)address.DeviceId;
                if (await select.ExecuteScalarAsync(cancellationToken) is byte[] record)
                {
                    found[address] = record;
                }
            }
            return found;
        }, cancellationToken);
    }

    /// <summary>The identity key last saved for <paramref name="address"/>, or null.</summary>
    public Task<byte[]?> LoadIdentityAsync(string scope, SignalAddress address, CancellationToken cancellationToken) =>
        ScalarInTransactionAsync<byte[]>(
            "SELECT identity_key FROM signal_identities WHERE scope = $scope AND name = $name AND device = $device",
            cancellationToken, ("$scope", scope), ("$name", address.Name), ("$device", (long)address.DeviceId));

    /// <summary>The sender-key record of <paramref name="sender"/> in <paramref name="group"/>, or null.</summary>
    public Task<byte[]?> LoadSenderKeyAsync(string scope, string group, SignalAddress sender, CancellationToken cancellationToken) =>
        ScalarInTransactionAsync<byte[]>(
            "SELECT record FROM signal_sender_keys WHERE scope = $scope AND group_jid = $group AND name = $name AND device = $device",
            cancellationToken, ("$scope", scope), ("$group", group), ("$name", sender.Name), ("$device", (long)sender.DeviceId));

    /// <summary>The LID user of phone-number user <paramref name="phoneUser"/>, or null.</summary>
    public Task<string?> GetLidUserAsync(string scope, string phoneUser, CancellationToken cancellationToken) =>
        ScalarInTransactionAsync<string>("SELECT lid_user FROM lid_map WHERE scope = $scope AND pn_user = $user", cancellationToken, ("$scope", scope), ("$user", phoneUser));

    /// <summary>The phone-number user of LID user <paramref name="lidUser"/>, or null.</summary>
    public Task<string?> GetPhoneUserAsync(string scope, string lidUser, CancellationToken cancellationToken) =>
        ScalarInTransactionAsync<string>("SELECT pn_user FROM lid_map WHERE scope = $scope AND lid_user = $user", cancellationToken, ("$scope", scope), ("$user", lidUser));

    /// <summary>Applies <paramref name="changes"/> in one transaction.</summary>
    public Task CommitSignalAsync(string scope, SignalChanges changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        return InTransactionAsync(async (c, tx) =>
        {
            await ApplySignalChangesAsync(c, tx, scope, changes, cancellationToken);
            return 0;
        }, cancellationToken);
    }

    /// <summary>Writes <paramref name="changes"/> inside the caller's transaction <paramref name="tx"/>.</summary>
    private async Task ApplySignalChangesAsync(SqliteConnection c, SqliteTransaction tx, string scope, SignalChanges changes, CancellationToken cancellationToken)
    {
        var now = Now;
        foreach (var (address, record) in changes.Sessions)
        {
            if (record is null)
            {
                await using var delete = Command(c, tx, "DELETE FROM signal_sessions WHERE scope = $scope AND name = $name AND device = $device");
                await ExecuteAsync(delete, cancellationToken, ("$scope", scope), ("$name", address.Name), ("$device", (long)address.DeviceId));
                continue;
            }
            var save = Prepared(c, tx, "INSERT OR REPLACE INTO signal_sessions (scope, name, device, record, updated_at) VALUES ($scope, $name, $device, $record, $now)");
            await ExecuteAsync(save, cancellationToken, ("$scope", scope), ("$name", address.Name), ("$device", (long)address.DeviceId), ("$record", record), ("$now", now));
        }
        foreach (var (address, key) in changes.Identities)
        {
            await using var command = Command(c, tx,
                "INSERT OR REPLACE INTO signal_identities (scope, name, device, identity_key, updated_at) VALUES ($scope, $name, $device, $key, $now)");
            await ExecuteAsync(command, cancellationToken, ("$scope", scope), ("$name", address.Name), ("$device", (long)address.DeviceId), ("$key", key), ("$now", now));
        }
        foreach (var ((group, sender), record) in changes.SenderKeys)
        {
            await using var command = Command(c, tx,
                "INSERT OR REPLACE INTO signal_sender_keys (scope, group_jid, name, device, record, updated_at) VALUES ($scope, $group, $name, $device, $record, $now)");
            await ExecuteAsync(command, cancellationToken, ("$scope", scope), ("$group", group), ("$name", sender.Name), ("$device", (long)sender.DeviceId), ("$record", record), ("$now", now));
        }
        foreach (var id in changes.UsedPreKeys)
        {
            await using var command = Command(c, tx, "DELETE FROM numbered_keys WHERE scope = $scope AND id = $id");
            await ExecuteAsync(command, cancellationToken, ("$scope", scope), ("$id", (long)id));
        }
        foreach (var (lid, phone) in changes.LidMappings)
        {
            // One LID per number and the reverse: the new pair replaces the rows of either side.
            await using (var delete = Command(c, tx, "DELETE FROM lid_map WHERE scope = $scope AND (lid_user = $lid OR pn_user = $pn)"))
            {
                await ExecuteAsync(delete, cancellationToken, ("$scope", scope), ("$lid", lid), ("$pn", phone));
            }
            await using var insert = Command(c, tx, "INSERT INTO lid_map (scope, lid_user, pn_user, updated_at) VALUES ($scope, $lid, $pn, $now)");
            await ExecuteAsync(insert, cancellationToken, ("$scope", scope), ("$lid", lid), ("$pn", phone), ("$now", now));
        }
    }

    /// <summary>Binds <paramref name="parameters"/> to <paramref name="command"/> and runs it.</summary>
    private static Task<int> ExecuteAsync(SqliteCommand command, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        Bind(command, parameters);
        return command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The first column of the first row of <paramref name="sql"/>, or null when there is none.</summary>
    private Task<T?> ScalarInTransactionAsync<T>(string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
        where T : class =>
        InTransactionAsync(async (c, tx) =>
        {
            // Fixed look-ups (identity, sender key, LID map), asked per message of a backlog: kept prepared.
            var command = Prepared(c, tx, sql);
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }
            return await command.ExecuteScalarAsync(cancellationToken) as T;
        }, cancellationToken);
}
