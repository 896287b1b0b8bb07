using WaSms.Emulators.WhatsApp;
using WaSms.Gateway.Control;

namespace WaSms.Gateway.Dev;

/// <summary>
/// <c>wasms-gateway dev wa-server [--port N]</c>: the WhatsApp emulator on its own, for pointing any
/// gateway (or another client) at it. Every line on standard input is a QR string for the emulated
/// phone to scan. Runs until SIGINT/SIGTERM.
/// </summary>
public static class WaServerCommand
{
    public static async Task<int> RunAsync(int port, TextReader input, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var signals = new StopSignals(stop);

        await using var emulator = new WaEmulator(port);
        emulator.Start();
        var phone = new PhoneSimulator(emulator, IDevPhone.PhoneNumber);
        // Alice, Bob and "Team", as in dev mode: a gateway pointed here can send to them (scripts/test-update).
        emulator.Contacts.AddDevDefaults("+" + IDevPhone.PhoneNumber);
        await output.WriteLineAsync($"WhatsApp emulator listening on {emulator.Uri}");
        await output.WriteLineAsync($"Trusted root key: {emulator.TrustedRootKeyHex}");
        await output.WriteLineAsync($"Point a gateway at it: --WhatsApp:ServerUrl={emulator.Uri} --WhatsApp:TrustedRootKey={emulator.TrustedRootKeyHex}");
        await output.WriteLineAsync($"Each line on standard input is a QR string for the emulated phone +{IDevPhone.PhoneNumber} to scan.");
        await output.FlushAsync(stop.Token);

        try
        {
            string? line;
            // Console.In reads synchronously even through ReadLineAsync: read on a pool thread, so a
            // signal can end the wait.
            while ((line = await Task.Run(input.ReadLine, CancellationToken.None).WaitAsync(stop.Token)) is not null)
            {
                if (line.Trim().Length == 0)
                {
                    continue;
                }
                try
                {
                    var device = await phone.ScanAsync(line.Trim(), stop.Token);
                    await output.WriteLineAsync($"linked {device.Jid} (lid {device.Lid})");
                }
                catch (EmulatorException ex)
                {
                    await error.WriteLineAsync($"scan failed: {ex.Message}");
                }
                await output.FlushAsync(stop.Token);
            }
            // Standard input closed (e.g. started in the background): keep serving until stopped.
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        return 0;
    }
}
