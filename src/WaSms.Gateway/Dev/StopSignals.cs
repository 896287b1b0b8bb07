using System.Runtime.InteropServices;

namespace WaSms.Gateway.Dev;

/// <summary>SIGINT and SIGTERM cancel a foreground dev server (<c>dev wa-server</c>, <c>dev platform</c>) instead of killing it, so it closes cleanly.</summary>
public sealed class StopSignals : IDisposable
{
    private readonly PosixSignalRegistration _sigterm;
    private readonly PosixSignalRegistration _sigint;

    public StopSignals(CancellationTokenSource stop)
    {
        ArgumentNullException.ThrowIfNull(stop);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
    }

    public void Dispose()
    {
        _sigterm.Dispose();
        _sigint.Dispose();
    }
}
