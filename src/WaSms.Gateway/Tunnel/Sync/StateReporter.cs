using WaSms.Core.State;
using WaSms.Gateway.Messaging;
using WaSms.Gateway.Tunnel.Protocol;
using WaSms.Storage;

namespace WaSms.Gateway.Tunnel.Sync;

/// <summary>The <c>state</c> and <c>pairing</c> frames (docs/tunnel.md §7.2–§7.3), read from the one state machine: the tunnel only observes it.</summary>
public sealed class StateReporter(GatewayStateMachine machine, IMessagingApi messaging, GatewayStore store, TimeProvider time,
    Messaging.Pacing.PacingGate? pacing = null)
{
    public async Task<StateFrame> BuildStateAsync(string firmware, string board, double? clockSkew, CancellationToken cancellationToken)
    {
        var snapshot = machine.Current;
        var today = await messaging.GetTodayAsync(cancellationToken);
        var update = await store.GetSettingAsync(CommandHandler.UpdateSetting, cancellationToken) is { } json
            ? System.Text.Json.JsonSerializer.Deserialize(json, TunnelJson.Default.UpdateOffer)
            : null;
        return new StateFrame
        {
            State = snapshot.StateName,
            Reason = snapshot.Reason,
            Since = FrameValidator.FormatTime(snapshot.Since),
            Problem = snapshot.Problem == GatewayProblem.ClockNotSet ? "clock-not-set" : null,
            Account = snapshot.Account is { } a ? new AccountInfo { Phone = EventMapper.Address(a.Jid), Name = a.PushName } : null,
            Counters = new CountersInfo
            {
                Day = today.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                In = today.In, Out = today.Out, Failed = today.Failed, Queued = today.Queued,
            },
            Firmware = firmware,
            Board = board,
            ClockSkew = clockSkew,
            Pacing = pacing is not null && await pacing.GetPauseAsync(cancellationToken) is { } pause
                ? new PacingState { Paused = true, Reason = pause.Reason, Until = pause.Until is { } until ? FrameValidator.FormatTime(until) : null }
                : new PacingState { Paused = snapshot.State == GatewayState.TempBanned, Reason = snapshot.State == GatewayState.TempBanned ? snapshot.Reason : null },
            Update = update,
            LastUpdate = snapshot.OpenNotice<UpdateOutcome>(time.GetUtcNow()) is { } last
                ? new LastUpdateInfo
                {
                    Version = last.Version, Result = last.Result, At = FrameValidator.FormatTime(last.At), Reason = last.Reason,
                }
                : null,
        };
    }

    public PairingFrame BuildPairing()
    {
        var snapshot = machine.Current;
        if (snapshot.Account is null && snapshot.Pairing is { } p)
        {
            if (p.PairingCode is { } code)
            {
                return new PairingFrame { Mode = "code", Code = code, ExpiresAt = FrameValidator.FormatTime(p.QrExpiresAt ?? time.GetUtcNow() + CommandHandler.PairingCodeLifetime) };
            }
            if (p.QrCode is { } qr && p.QrExpiresAt is { } expires)
            {
                return new PairingFrame { Mode = "qr", Qr = qr, ExpiresAt = FrameValidator.FormatTime(expires) };
            }
        }
        return new PairingFrame { Mode = "none" };
    }
}
