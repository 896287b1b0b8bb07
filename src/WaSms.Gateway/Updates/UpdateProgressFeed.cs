using WaSms.Core.State;

namespace WaSms.Gateway.Updates;

/// <summary>
/// Turns the coordinator's reports into <see cref="UpdateProgress"/> notices on the state machine, so the screen, the
/// LEDs, MQTT and <c>status</c> see the update the way they see everything else. RAUC prints a line per percent; each
/// notice is a new snapshot (an e-paper redraw, an MQTT publish), so only a new phase, version or step is posted at
/// once, and a new percentage only when it reaches the next <see cref="PercentStep"/> and at least
/// <see cref="MinimumInterval"/> after the last post. A refused or failed update takes the notice away.
/// </summary>
public sealed class UpdateProgressFeed(GatewayStateMachine machine, TimeProvider time)
{
    public const int PercentStep = 5;

    public static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private UpdateProgress? _posted;
    private DateTimeOffset _postedAt;

    /// <summary>Called with every report the coordinator makes (its <c>Report</c>); cheap, never blocks.</summary>
    public void Report(UpdateReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        lock (_gate)
        {
            switch (report.Phase)
            {
                case "installing" or "installed":
                    var next = new UpdateProgress(report.Version, report.Phase, report.Percent, report.Step);
                    if (Due(next))
                    {
                        _posted = next;
                        _postedAt = time.GetUtcNow();
                        machine.Post(next);
                    }
                    break;
                case "refused" or "failed":
                    _posted = null;
                    machine.Withdraw<UpdateProgress>();
                    break;
                // "checking": the state is not updating yet; a refusal must leave no trace.
            }
        }
    }

    private bool Due(UpdateProgress next)
    {
        if (_posted is not { } last || last.Phase != next.Phase || last.Version != next.Version || last.Step != next.Step)
        {
            return true;
        }
        return Bucket(next.Percent) != Bucket(last.Percent) && time.GetUtcNow() - _postedAt >= MinimumInterval;
    }

    private static int Bucket(int? percent) => percent is { } p ? p / PercentStep : -1;
}
