using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WaSms.Gateway.Messaging;
using WaSms.Storage;

namespace WaSms.Gateway.Tunnel.Sync;

/// <summary>
/// Fails platform jobs not sent by their expiry (<c>Tunnel:JobTtl</c> after they arrived) with reason
/// <c>expired</c> (docs/tunnel.md §6), whatever holds them: pacing, a cap, a temporary ban or no WhatsApp
/// connection at all. The failure goes into the stream, so the platform gets it as a <c>status</c> event.
/// It wakes at the earliest expiry ahead, or after one TTL (no job arriving later can expire sooner).
/// The send gate also refuses an expired job (<c>PacingGate</c>), should the outbox reach it first.
/// </summary>
public sealed class JobExpiry(GatewayStore store, ObservedMessageStore messages, TimeProvider time, TimeSpan jobTtl, ILogger<JobExpiry> log) : BackgroundService
{
    /// <summary>Fails the jobs due now; returns when to look again.</summary>
    public async Task<DateTimeOffset> ExpireDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (expired, next) = await store.ExpirePendingSendsAsync(now, cancellationToken);
        if (expired > 0)
        {
            log.LogWarning("{Count} platform job(s) were not sent within {Ttl} and failed 'expired'", expired, jobTtl);
            messages.Pulse();
        }
        var latest = now + jobTtl;
        return next is { } n && n < latest ? n : latest;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            DateTimeOffset next;
            try
            {
                next = await ExpireDueAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogError("Expiring platform jobs failed; trying again in a minute: {Problem}", ex.Message);
                next = time.GetUtcNow() + TimeSpan.FromMinutes(1);
            }
            var delay = next - time.GetUtcNow();
            await Task.Delay(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, time, stoppingToken);
        }
    }
}
