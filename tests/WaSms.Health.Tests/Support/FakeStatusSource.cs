using WaSms.Core.State;
using WaSms.Core.Status;

namespace WaSms.Health.Tests.Support;

/// <summary>The host's status, from a real state machine plus settable facts.</summary>
public sealed class FakeStatusSource(GatewayStateMachine machine, TimeProvider time) : IGatewayStatusSource
{
    private readonly DateTimeOffset _started = time.GetUtcNow();

    public Dictionary<string, long> Queues { get; } = new(StringComparer.Ordinal) { ["outbound"] = 2, ["inbound"] = 1 };

    public bool DisplayPresent { get; set; } = true;

    /// <summary>When the button became stuck, or null; set it with <see cref="SetButtonStuck"/>.</summary>
    public DateTimeOffset? ButtonStuckSince { get; private set; }

    public event EventHandler? Changed;

    /// <summary>The board's button becomes stuck (or is released): raises <see cref="Changed"/> as the gateway's source does.</summary>
    public void SetButtonStuck(DateTimeOffset? since)
    {
        ButtonStuckSince = since;
        Changed?.Invoke(this, EventArgs.Empty);
    }

    /// <summary>How many of the next calls fail (a store that is briefly unusable).</summary>
    public int FailNext { get; set; }

    public Task<GatewayStatus> GetAsync(CancellationToken cancellationToken)
    {
        if (FailNext > 0)
        {
            FailNext--;
            throw new NotSupportedException("planted status failure");
        }
        return Task.FromResult(new GatewayStatus(machine.Current, new Dictionary<string, long>(Queues), "simulated", "simulated 250x122 e-paper",
            DisplayPresent, "0.1.0", time.GetUtcNow() - _started, [], ButtonStuckSince));
    }
}
