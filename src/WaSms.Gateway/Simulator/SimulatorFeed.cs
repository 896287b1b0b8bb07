using WaSms.Core.State;
using WaSms.Hardware.Simulated;

namespace WaSms.Gateway.Simulator;

/// <summary>
/// One change counter for everything the page shows: state snapshots, panel refreshes, LED patterns
/// and the page's own button presses. Each event stream waits on it and then sends what moved.
/// </summary>
internal sealed class SimulatorFeed : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly SimulatedBoard _board;
    private readonly StateSubscription _states;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _pump;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _version;

    public SimulatorFeed(GatewayStateMachine machine, SimulatedBoard board)
    {
        _board = board;
        board.Panel.Refreshed += OnBoardChanged;
        board.Lights.Changed += OnBoardChanged;
        board.Button.PressedChanged += OnBoardChanged; // the GPIO path and `wasms-gateway press` too, not just the page
        _states = machine.Subscribe();
        _pump = PumpStatesAsync(_stopping.Token);
    }

    /// <summary>Increases on every change; pass it back to <see cref="WaitForChangeAsync"/>.</summary>
    public long Version
    {
        get { lock (_gate) { return _version; } }
    }

    /// <summary>Completes once <see cref="Version"/> differs from <paramref name="seen"/>.</summary>
    public Task WaitForChangeAsync(long seen, CancellationToken cancellationToken)
    {
        Task changed;
        lock (_gate)
        {
            if (_version != seen)
            {
                return Task.CompletedTask;
            }
            changed = _changed.Task;
        }
        return changed.WaitAsync(cancellationToken);
    }

    public void Pulse()
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            _version++;
            previous = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        previous.TrySetResult();
    }

    private void OnBoardChanged(object? sender, EventArgs e) => Pulse();

    private async Task PumpStatesAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await _states.NextAsync(cancellationToken);
                Pulse();
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
        {
            // Stopping.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _board.Panel.Refreshed -= OnBoardChanged;
        _board.Lights.Changed -= OnBoardChanged;
        _board.Button.PressedChanged -= OnBoardChanged;
        await _stopping.CancelAsync();
        _states.Dispose();
        await _pump;
        _stopping.Dispose();
    }
}
