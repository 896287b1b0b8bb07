using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using WaSms.Core.Health;
using WaSms.Core.State;
using WaSms.Core.Status;
using WaSms.Health;
using WaSms.Health.Mqtt;

namespace WaSms.Health.Tests.Mqtt;

public sealed class ServiceRegistrationTests
{
    [Fact]
    public async Task AddHealth_RegistersOneReporterAsHostedService()
    {
        var state = Directory.CreateTempSubdirectory("wasms-di-").FullName;
        try
        {
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddSingleton(TimeProvider.System);
            services.AddSingleton(new GatewayStateMachine(TimeProvider.System, NullLogger<GatewayStateMachine>.Instance));
            services.AddSingleton<IGatewayStatusSource>(sp => new FakeStatusSource(sp.GetRequiredService<GatewayStateMachine>(), TimeProvider.System));
            services.AddHealth(new MqttOptions(), state, ["planted-secret"]);
            await using var provider = services.BuildServiceProvider();

            var reporter = Assert.Single(provider.GetServices<IHostedService>().OfType<MqttHealthReporter>());
            Assert.Same(provider.GetRequiredService<MqttHealthReporter>(), reporter);
            Assert.Equal(["planted-secret"], reporter.Secrets);
            Assert.NotNull(provider.GetRequiredService<HealthCounters>());

            // No host: off, finishes at once, never resolves topics.
            await reporter.StartAsync(CancellationToken.None);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reporter.Topics);
            await reporter.StopAsync(CancellationToken.None);
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }
}
