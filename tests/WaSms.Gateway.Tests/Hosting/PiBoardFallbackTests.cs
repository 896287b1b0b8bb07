using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using WaSms.Gateway.Configuration;
using WaSms.Gateway.Hosting;
using WaSms.Hardware.Board;
using WaSms.Hardware.Headless;
using WaSms.Storage;

namespace WaSms.Gateway.Tests.Hosting;

/// <summary>Board:Kind = Pi on a machine without GPIO (this one): the expected fallback is one log line.</summary>
public sealed class PiBoardFallbackTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task GpioMissing_OneLineWithTheReason_NoStackTrace_HeadlessBoard()
    {
        var settings = new GatewaySettings
        {
            Gateway = new GatewayOptions { StateDirectory = _dir.Path },
            Board = new BoardOptions { Kind = BoardKind.Pi },
            WhatsApp = new WhatsAppOptions { ServerUrl = "ws://127.0.0.1:9/ws/chat" },
        };
        var lines = new List<string>();
        var store = await GatewayStore.OpenAsync(_dir.Path, TimeProvider.System, NullLogger.Instance, CancellationToken.None);
        using var host = GatewayHost.Build(settings, new SystemdSettings(null, null), store, TestLog.Create(output, lines), TimeProvider.System);

        var board = host.Services.GetRequiredService<IBoard>();

        Assert.IsType<HeadlessBoard>(board);
        string[] snapshot;
        lock (lines)
        {
            snapshot = [.. lines];
        }
        var line = Assert.Single(snapshot, l => l.Contains("GPIO cannot be opened", StringComparison.Ordinal));
        Assert.StartsWith("<3>", line, StringComparison.Ordinal);
        Assert.Matches(@"GPIO cannot be opened \(.+\); running without LEDs and button$", line);
        Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", line, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', line);
    }
}
