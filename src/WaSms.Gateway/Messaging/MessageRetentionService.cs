using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WaSms.Gateway.Configuration;
using WaSms.Storage;

namespace WaSms.Gateway.Messaging;

/// <summary>
/// Keeps the message history from growing forever on a small board: once a day (on the gateway's clock,
/// first <see cref="FirstRunAfter"/> after start so boot stays quick) it deletes what every stream
/// consumer acknowledged more than <c>Messaging:RetentionDays</c> ago (<see cref="GatewayStore.DeleteAcknowledgedBeforeAsync"/>).
/// Unacknowledged events and pending sends are never deleted.
/// </summary>
public sealed class MessageRetentionService(GatewayStore store, MessagingOptions options, TimeProvider time, ILogger<MessageRetentionService> log) : BackgroundService
{
    public static readonly TimeSpan FirstRunAfter = TimeSpan.FromMinutes(10);

    public static readonly TimeSpan Interval = TimeSpan.FromDays(1);

    /// <summary>Deletes what is past retention now; returns what it deleted.</summary>
    public async Task<RetentionResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        var deleted = await store.DeleteAcknowledgedBeforeAsync(time.GetUtcNow() - TimeSpan.FromDays(options.RetentionDays), cancellationToken);
        if (deleted.Events + deleted.InboundMessages + deleted.SendJobs > 0)
        {
            log.LogInformation("Retention ({Days} days): deleted {Events} acknowledged stream events, {Inbound} received messages and {Jobs} finished sends",
                options.RetentionDays, deleted.Events, deleted.InboundMessages, deleted.SendJobs);
        }
        return deleted;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(FirstRunAfter, time, stoppingToken);
            while (true)
            {
                try
                {
                    await RunOnceAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    log.LogWarning("Message retention failed; trying again in {Interval}: {Error}", Interval, ex.Message);
                }
                await Task.Delay(Interval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
