using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WaSms.Gateway.Configuration;
using WaSms.Gateway.Provisioning;
using WaSms.Core.State;

namespace WaSms.Gateway.Hosting;

/// <summary>
/// At start, a setup file the provisioning step refused (docs/image.md) is said once in the log and
/// posted as a notice in the state for <see cref="ShowFor"/> (the screen shows it); <c>status</c> keeps saying it afterwards.
/// </summary>
public sealed class SetupNoticeService(GatewayOptions options, GatewayStateMachine machine, TimeProvider time, ILogger<SetupNoticeService> log) : IHostedService
{
    public static readonly TimeSpan ShowFor = TimeSpan.FromMinutes(2);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (SetupProblem.Read(options.StateDirectory) is { } problem)
        {
            log.LogWarning("The setup file {File} was refused ({Problem}); nothing from it was applied, the last good settings stay", problem.File, problem.ToString());
            machine.Post(new SetupNotice(problem.Key, problem.Line, problem.Message, time.GetUtcNow() + ShowFor));
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
