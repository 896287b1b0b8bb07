using WaSms.Core.State;

namespace WaSms.Gateway.Control;

/// <summary>
/// Dev mode's emulated-phone actions, shared by the control socket (<c>dev scan</c>, <c>dev code</c>)
/// and the simulator page, so both take one code path.
/// </summary>
public sealed class DevCommands(GatewayStateMachine machine, IDevPhone dev)
{
    /// <summary>True in dev mode (the built-in emulator runs).</summary>
    public bool Enabled => dev.Enabled;

    /// <summary>The emulated phone scans <paramref name="qr"/>, or the QR the gateway shows now.</summary>
    public async Task<ControlResponse> ScanAsync(string? qr, CancellationToken cancellationToken)
    {
        var current = machine.Current;
        qr ??= current.Pairing?.QrCode;
        if (qr is null)
        {
            return new ControlResponse(false, $"no QR to scan; the gateway is {current.StateName}: {current.Reason}");
        }
        try
        {
            return new ControlResponse(true, Message: await dev.ScanAsync(qr, cancellationToken));
        }
        catch (InvalidOperationException ex)
        {
            return new ControlResponse(false, ex.Message);
        }
    }

    /// <summary>The emulated phone enters <paramref name="code"/>, or the pairing code the gateway shows now.</summary>
    public async Task<ControlResponse> EnterCodeAsync(string? code, CancellationToken cancellationToken)
    {
        code ??= machine.Current.Pairing?.PairingCode;
        if (code is null)
        {
            return new ControlResponse(false, $"no pairing code to enter; run 'wasms-gateway pair-code +{IDevPhone.PhoneNumber}' first");
        }
        try
        {
            return new ControlResponse(true, Message: await dev.EnterPairingCodeAsync(code, cancellationToken));
        }
        catch (InvalidOperationException ex)
        {
            return new ControlResponse(false, ex.Message);
        }
    }
}
