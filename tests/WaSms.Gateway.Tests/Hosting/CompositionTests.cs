using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using WaSms.Core.Reset;
using WaSms.Core.State;
using WaSms.Gateway.Configuration;
using WaSms.Gateway.Hosting;
using WaSms.Gateway.Links;
using WaSms.Hardware.Board;
using WaSms.Storage;

namespace WaSms.Gateway.Tests.Hosting;

/// <summary>The host as the layers' Add* registrations compose it, and the one reset path through it.</summary>
public sealed class CompositionTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private async Task<(Microsoft.Extensions.Hosting.IHost Host, GatewayStore Store)> BuildAsync()
    {
        var settings = new GatewaySettings
        {
            Gateway = new GatewayOptions { StateDirectory = _dir.Path },
            Board = new BoardOptions { Kind = BoardKind.Headless },
            WhatsApp = new WhatsAppOptions { ServerUrl = "ws://127.0.0.1:9/ws/chat" },
        };
        var store = await GatewayStore.OpenAsync(_dir.Path, TimeProvider.System, NullLogger.Instance, CancellationToken.None);
        return (GatewayHost.Build(settings, new SystemdSettings(null, null), store, TestLog.Create(output), TimeProvider.System), store);
    }

    [Fact]
    public async Task ResetParticipants_TheLinkLogsOutFirst_ThenTheStoreForgets_AndEveryCallerMeetsTheCoordinator()
    {
        var (host, store) = await BuildAsync();
        using (host)
        await using (store)
        {
            var participants = host.Services.GetServices<IResetParticipant>().ToList();
            Assert.Equal([typeof(WhatsAppLinkService), typeof(StoreResetParticipant)], participants.Select(p => p.GetType()));
            Assert.Same(host.Services.GetRequiredService<ResetCoordinator>(), host.Services.GetRequiredService<IResetRequests>());
        }
    }

    [Fact]
    public async Task RelinkThroughTheEntryPoint_ForgetsTheStoredSession_AndEndsUnpaired()
    {
        var (host, store) = await BuildAsync();
        using (host)
        await using (store)
        {
            var session = host.Services.GetRequiredService<IWhatsAppSessionStore>();
            await store.ReplaceSecretsAsync(SecretScopes.WhatsApp, new Dictionary<string, byte[]> { ["noise-key"] = new byte[32] }, CancellationToken.None);
            Assert.True(await session.HasSessionAsync(CancellationToken.None));
            var machine = host.Services.GetRequiredService<GatewayStateMachine>();
            Assert.True(machine.TryFire(new StateChange(GatewayTrigger.Connect, "Connecting to WhatsApp")));

            var outcome = await host.Services.GetRequiredService<IResetRequests>().ResetAsync(ResetKind.Relink, "platform: reset gateway", CancellationToken.None);

            Assert.True(outcome.Completed, outcome.Message);
            Assert.False(await session.HasSessionAsync(CancellationToken.None));
            Assert.Equal(GatewayState.Unpaired, machine.Current.State);
            Assert.Null(await store.GetPendingResetAsync(CancellationToken.None));
        }
    }
}
