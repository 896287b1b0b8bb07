using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using WaSms.WhatsApp.Client;
using WaSms.Emulators.WhatsApp;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Socket;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Tests.Client;

/// <summary>The connection's work off the receive loop: awaited on shutdown (bounded), failures logged.</summary>
public sealed class BackgroundTasksTests
{
    [Fact]
    public async Task Dispose_WaitsForTheRunningTasks()
    {
        var tasks = new BackgroundTasks(new FakeTimeProvider(), new RecordingLogger());
        var finish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tasks.Run("slow", () => finish.Task);
        tasks.Run("done", () => Task.CompletedTask);
        Assert.Equal(1, tasks.Count);

        var disposed = tasks.DisposeAsync().AsTask();
        Assert.False(disposed.IsCompleted);

        finish.SetResult();
        await disposed;
        Assert.Equal(0, tasks.Count);
    }

    [Fact]
    public async Task Dispose_StopsWaitingAfterItsBound_AndSaysSo()
    {
        var time = new FakeTimeProvider();
        var log = new RecordingLogger();
        var tasks = new BackgroundTasks(time, log, shutdownWait: TimeSpan.FromSeconds(5));
        var never = new TaskCompletionSource();
        tasks.Run("stuck", () => never.Task);

        var disposed = tasks.DisposeAsync().AsTask();
        Assert.False(disposed.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(5));
        await disposed;

        Assert.Contains(log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("still running", StringComparison.Ordinal));
        Assert.Equal(1, tasks.Count);
    }

    [Fact]
    public async Task FailingTask_IsLoggedWithItsNameAndException()
    {
        var log = new RecordingLogger();
        var tasks = new BackgroundTasks(new FakeTimeProvider(), log);
        tasks.Run("prekey-top-up", async () =>
        {
            await Task.Yield();
            throw new InvalidOperationException("disk full");
        });

        await tasks.DisposeAsync();

        var error = Assert.Single(log.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains("prekey-top-up", error.Message, StringComparison.Ordinal);
        Assert.Equal("disk full", Assert.IsType<InvalidOperationException>(error.Exception).Message);
    }

    [Fact]
    public async Task Client_LogsAFailingQrRotation_InsteadOfLeavingItUnobserved()
    {
        await using var emulator = new WaEmulator();
        emulator.Start();
        var log = new RecordingLogger();
        var client = new WaClient(
            new WaClientOptions { ServerUri = emulator.Uri, Trust = CertificateTrust.FromHex(emulator.TrustedRootKeyHex), Logger = log },
            new InMemoryCredentialStore());
        client.EventRaised += (_, e) =>
        {
            if (e is QrIssued)
            {
                throw new InvalidOperationException("the owner's handler broke");
            }
        };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var run = client.RunAsync(cts.Token);

        var error = await log.WaitForAsync(e => e.Level == LogLevel.Error).WaitAsync(cts.Token);
        Assert.Contains("qr-rotation", error.Message, StringComparison.Ordinal);
        Assert.Equal("the owner's handler broke", error.Exception?.Message);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }
}
