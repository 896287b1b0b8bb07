using System.Globalization;
using Microsoft.Extensions.Logging;
using WaSms.Gateway.Messaging;
using WaSms.Core.State;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Socket;

namespace WaSms.Gateway.Links;

/// <summary>
/// The link's messaging side: the client is built on the gateway's Signal and message stores (so
/// messages and ratchet steps commit in the SQLite database), and the messaging API reaches the
/// current client through <see cref="IOutboxWaker"/> and <see cref="IGroupDirectory"/>.
/// </summary>
public sealed partial class WhatsAppLinkService : IOutboxWaker, IGroupDirectory
{
    /// <summary>How long after login the gateway waits for WhatsApp's end-of-offline marker before going online anyway: the client's outbox waits as long.</summary>
    internal static readonly TimeSpan OfflineSyncGrace = new WhatsApp.Messaging.Send.SendOptions().OfflineSyncWait;

    private const string ReceivingOfflineReason = "Logged in; receiving messages that arrived while offline";

    private readonly Lock _onlineGate = new();
    private LinkedAccount? _loggedInAccount;
    private ITimer? _offlineSyncTimer;
    private volatile bool _caughtUp;

    /// <summary>This connection has delivered its offline backlog (or the grace ran out): it may be called online.</summary>
    private bool CaughtUp => _caughtUp;

    // The marker can come before Connected: the server sends the backlog and the marker right after
    // login, while Connected waits for the prekey, passive and presence steps. Kept until Connected.
    private int? _offlineSyncedBeforeConnected;

    private WaClientOptions CreateClientOptions()
    {
        var parts = options.ClientVersion.Split('.').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        return new WaClientOptions
        {
            ServerUri = new Uri(options.ServerUrl),
            Trust = CertificateTrust.FromHex(options.TrustedRootKey),
            ClientVersion = new Version(parts[0], parts[1], parts[2]),
            Time = time,
            Logger = log, // slow-handler and background-task warnings reach the journal
            SignalStore = signalStore,
            MessageStore = messageStore,
            UndecryptableAfter = TimeSpan.FromMinutes(messaging.UndecryptableAfterMinutes),
            SendGate = sendGate ?? new WhatsApp.Messaging.Send.AlwaysSend(), // the acceptable-use rules (Messaging/Pacing)
        };
    }

    /// <summary>A job was queued: the current client's outbox sends it (without a client it waits for the next login).</summary>
    public void WakeOutbox() => Volatile.Read(ref _client)?.WakeOutbox();

    /// <summary>
    /// Logged in: WhatsApp now delivers what was queued while we were away and ends it with
    /// <c>&lt;ib&gt;&lt;offline count/&gt;&lt;/ib&gt;</c>. The gateway calls itself online only then, so
    /// "online" means "caught up" (issue 11). A server that never sends the marker must not keep the
    /// gateway offline: after <see cref="OfflineSyncGrace"/> it goes online anyway, with a warning.
    /// </summary>
    private void OnLoggedIn(Connected connected)
    {
        var account = new LinkedAccount(connected.Jid.ToString(), connected.Lid?.ToString());
        if (machine.Current.State is GatewayState.Unpaired or GatewayState.Booting)
        {
            machine.TryFire(new StateChange(GatewayTrigger.Connect, ReceivingOfflineReason, Account: account));
        }
        int? synced;
        lock (_onlineGate)
        {
            _caughtUp = false;
            _loggedInAccount = account;
            _offlineSyncTimer?.Dispose();
            synced = _offlineSyncedBeforeConnected;
            _offlineSyncedBeforeConnected = null;
            _offlineSyncTimer = synced is null ? time.CreateTimer(_ => GoOnline(null), null, OfflineSyncGrace, Timeout.InfiniteTimeSpan) : null;
        }
        if (synced is not null)
        {
            GoOnline(synced);
        }
    }

    private void OnOfflineSyncCompleted(OfflineSyncCompleted synced)
    {
        lock (_onlineGate)
        {
            if (_loggedInAccount is null)
            {
                _offlineSyncedBeforeConnected = synced.Count;
                return;
            }
        }
        GoOnline(synced.Count);
    }

    private void GoOnline(int? offlineCount)
    {
        LinkedAccount? account;
        lock (_onlineGate)
        {
            account = _loggedInAccount;
            _loggedInAccount = null;
            _offlineSyncTimer?.Dispose();
            _offlineSyncTimer = null;
            _caughtUp |= account is not null;
        }
        if (account is null)
        {
            return; // this login is already online, or its connection ended meanwhile
        }
        if (offlineCount is null)
        {
            log.LogWarning("WhatsApp sent no end-of-offline marker within {Seconds} s of login; online anyway", OfflineSyncGrace.TotalSeconds);
        }
        else
        {
            log.LogInformation("Caught up with what arrived while offline ({Count} stanzas)", offlineCount);
        }
        if (offlineCount >= Hosting.MemoryRelease.BacklogThreshold)
        {
            // The handlers take nodes in order, so the whole backlog is stored and receipted by now:
            // its buffers, parsed records and page cache are garbage, kept only because the burst grew the heap.
            ReleaseMemory($"an offline backlog of {offlineCount} stanzas");
        }
        machine.TryFire(new StateChange(GatewayTrigger.LinkUp, "Online", Account: account));
        WakeOutbox(); // jobs queued while offline go out now that the link is up and caught up
    }

    /// <summary>Hands a burst's memory back to the OS (<see cref="Hosting.MemoryRelease"/>; never throws), or runs a compacting GC without one.</summary>
    private void ReleaseMemory(string after)
    {
        if (memory is not null)
        {
            _ = memory.ReleaseAsync(after, CancellationToken.None);
        }
        else
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
    }

    /// <summary>The connection ended: its login no longer waits for the marker.</summary>
    private void StopWaitingForOfflineSync()
    {
        lock (_onlineGate)
        {
            _caughtUp = false;
            _loggedInAccount = null;
            _offlineSyncedBeforeConnected = null;
            _offlineSyncTimer?.Dispose();
            _offlineSyncTimer = null;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<JoinedGroup>> GetJoinedGroupsAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _client) is not { } client || machine.Current.State != GatewayState.Online)
        {
            throw new InvalidOperationException($"groups can be listed only while online; the gateway is {machine.Current.StateName}: {machine.Current.Reason}");
        }
        var groups = await client.GetJoinedGroupsAsync(cancellationToken);
        return [.. groups.Select(g => new JoinedGroup(g.Jid.ToString(), g.Subject, g.ParticipantCount, g.AddressingMode))];
    }
}
