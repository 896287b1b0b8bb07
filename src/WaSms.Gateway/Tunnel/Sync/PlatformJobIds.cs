namespace WaSms.Gateway.Tunnel.Sync;

/// <summary>
/// The caller ids platform jobs are stored under (docs/tunnel.md §10): <c>platform:&lt;gatewayId&gt;:&lt;jobId&gt;</c>.
/// Local sends may not use the <c>platform:</c> prefix, so a local <c>send --id</c> never answers for a platform
/// job or the reverse; and the enrollment's gateway id keeps a new enrollment (which starts its job ids again)
/// from being answered with an old enrollment's job.
/// </summary>
public static class PlatformJobIds
{
    public const string Prefix = Messaging.MessagingApi.ReservedIdPrefix;

    public static string CallerId(string gatewayId, string jobId) => $"{Prefix}{gatewayId}:{jobId}";

    /// <summary>The platform's job id of <paramref name="callerId"/> when it is a job of enrollment <paramref name="gatewayId"/>, else null.</summary>
    public static string? JobIdOf(string? callerId, string? gatewayId)
    {
        if (callerId is null || gatewayId is null)
        {
            return null;
        }
        var prefix = $"{Prefix}{gatewayId}:";
        return callerId.StartsWith(prefix, StringComparison.Ordinal) ? callerId[prefix.Length..] : null;
    }
}
