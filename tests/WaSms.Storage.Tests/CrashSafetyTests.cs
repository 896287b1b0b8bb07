using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;

namespace WaSms.Storage.Tests;

/// <summary>
/// kill -9 a process that is writing credentials and queue items, many times over, and prove that
/// every committed write survived and no half-written credential set is ever seen.
/// </summary>
public sealed class CrashSafetyTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string WriterPath()
    {
        var testDir = AppContext.BaseDirectory; // tests/WaSms.Storage.Tests/bin/<Config>/net10.0/
        var configuration = new DirectoryInfo(testDir).Parent!.Name;
        var path = Path.GetFullPath(Path.Combine(testDir, "..", "..", "..", "..", "WaSms.Storage.CrashWriter", "bin", configuration, "net10.0", "WaSms.Storage.CrashWriter.dll"));
        Assert.True(File.Exists(path), $"crash writer not built at {path}");
        return path;
    }

    [Fact]
    public async Task KillDuringWrites_CommittedDataSurvivesAndNothingIsTorn()
    {
        var writer = WriterPath();
        var random = new Random(20261125);
        var lastCommitted = 0;
        var delivered = new HashSet<string>();
        for (var round = 0; round < 6; round++)
        {
            var killAfter = lastCommitted + random.Next(5, 60);
            var psi = new ProcessStartInfo("dotnet", [writer, _dir.Path]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(psi)!;
            var printed = lastCommitted;
            while (printed < killAfter)
            {
                var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
                if (line is null)
                {
                    Assert.Fail("writer died: " + await process.StandardError.ReadToEndAsync());
                }
                printed = int.Parse(line, System.Globalization.CultureInfo.InvariantCulture);
            }
            process.Kill(); // SIGKILL: no finally blocks, no flush, no clean close
            await process.WaitForExitAsync();

            await using var store = await GatewayStore.OpenAsync(_dir.Path, TimeProvider.System, NullLogger.Instance, CancellationToken.None);
            Assert.Null(store.MovedAsideTo);

            var secrets = await store.GetSecretsAsync(SecretScopes.WhatsApp, CancellationToken.None);
            Assert.Equal(10, secrets.Count);
            var versions = secrets.Values.Select(v => int.Parse(Encoding.ASCII.GetString(v), System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToList();
            Assert.Single(versions); // never a mix of two commits
            Assert.True(versions[0] >= printed, $"commit {printed} was reported but the store holds {versions[0]}");

            var queued = new List<string>();
            IReadOnlyList<QueueItem> batch;
            while ((batch = await store.TakeAsync("outbox", 500, CancellationToken.None)).Count > 0)
            {
                queued.AddRange(batch.Select(b => b.DedupKey));
                await store.AckAsync(batch.Select(b => b.Id), CancellationToken.None);
            }
            foreach (var key in queued)
            {
                Assert.True(delivered.Add(key), $"{key} was delivered twice"); // dedup holds across crashes
            }
            Assert.Contains($"m{printed}", delivered); // the last reported item was not lost
            lastCommitted = printed;
        }
    }
}
