using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using WaSms.Core.State;
using WaSms.Core.Status;
using WaSms.Health.Mqtt;

namespace WaSms.Health.Tests.Mqtt;

public sealed class ServiceRegistrationTests
{
    [Fact]
    public async Task AddMqttHealth_RegistersOneReporterAsHostedService()
    {
        var state = Directory.CreateTempSubdirectory("wasms-di-").FullName;
        try
        {
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddSingleton(TimeProvider.System);
            services.AddSingleton(new GatewayStateMachine(TimeProvider.System, NullLogger<GatewayStateMachine>.Instance));
            services.AddSingleton<IGatewayStatusSource>(sp => new FakeStatusSource(sp.GetRequiredService<GatewayStateMachine>(), TimeProvider.System));
            services.AddMqttHealth(new MqttOptions(), state, ["planted-secret"]);
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
