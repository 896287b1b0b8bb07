using Microsoft.Extensions.Logging;
using WaSms.Core.Reset;

namespace WaSms.Gateway.Dev;

/// <summary>
/// Test-only fault injection: with <see cref="EnvironmentVariable"/>=1 on a simulated board, a reset
/// stops between the WhatsApp logout and the store's wipe (where a crash once left the gateway
/// logged out but still holding its session) until the process is killed, so a test can kill -9 it
/// exactly there. A real board never registers it (GatewayHost), and it changes no data.
/// </summary>
public sealed class ResetFaultInjection(TimeProvider time, ILogger<ResetFaultInjection> log) : IResetParticipant
{
    public const string EnvironmentVariable = "WASMS_FAULT_HOLD_RESET_AFTER_LOGOUT";

    /// <summary>Logged when the reset is held; the test waits for it.</summary>
    public const string HeldMessage = "Fault injection: reset held after the WhatsApp logout";

    public static bool IsRequested(System.Collections.IDictionary environment) =>
        environment[EnvironmentVariable] is "1";

    public string Name => "fault injection";

    public Task<int> FlushAsync(ResetKind kind, CancellationToken cancellationToken) => Task.FromResult(0);

    public async Task WipeAsync(ResetKind kind, CancellationToken cancellationToken)
    {
        log.LogWarning("{Message} ({Variable}=1); kill the process now", HeldMessage, EnvironmentVariable);
        await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken);
    }

    public Task ResumeAsync(ResetKind kind, CancellationToken cancellationToken) => Task.CompletedTask;
}
