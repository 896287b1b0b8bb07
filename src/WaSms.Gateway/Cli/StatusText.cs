using System.Text;
using WaSms.Gateway.Control;

namespace WaSms.Gateway.Cli;

/// <summary>The human-readable <c>status</c> output.</summary>
public static class StatusText
{
    public static string Format(StatusReport status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var text = new StringBuilder();
        text.AppendLine($"State:    {status.State} (since {status.Since:yyyy-MM-dd HH:mm:ss}Z)");
        text.AppendLine($"Reason:   {status.Reason}");
        if (status.Account is { } account)
        {
            text.AppendLine($"Account:  {account.MaskedNumber}{(account.PushName is null ? "" : $" ({account.PushName})")}");
        }
        if (status.Pairing is { Qr: not null })
        {
            text.AppendLine("Pairing:  QR ready, run `wasms-gateway qr` to show it");
        }
        if (status.Pairing?.PairingCode is { } code)
        {
            text.AppendLine($"Pairing:  code {code}");
        }
        if (status.Today is { } today)
        {
            text.AppendLine($"Today:    {today.In} in, {today.Out} out, {today.Failed} failed, {today.Queued} queued");
        }
        if (status.Pacing is { Paused: true } pacing)
        {
            text.AppendLine($"Sending:  {pacing.Reason}");
        }
        if (status.Tunnel is { } tunnel)
        {
            text.AppendLine($"Platform: {tunnel.Line["platform: ".Length..]}{(tunnel.UpdateAvailable is { } version ? $"; update {version} available" : "")}");
        }
        if (status.Update is { } update)
        {
            text.AppendLine($"Update:   {update.Describe()}");
        }
        else if (status.LastUpdate is { Result: "installed" } installed)
        {
            text.AppendLine($"Update:   {installed.Version} installed {installed.At:yyyy-MM-dd HH:mm}Z and running");
        }
        else if (status.State == "client-outdated")
        {
            // The same advice as the screen: the offered update installs by itself, or one has to come from the platform.
            text.AppendLine($"Update:   needed; {Hardware.Display.ScreenRenderer.OutdatedAdvice(status.Tunnel?.UpdateAvailable)}");
        }
        text.AppendLine($"Queues:   {(status.Queues.Count == 0 ? "empty" : string.Join(", ", status.Queues.Select(q => $"{q.Key} {q.Value}")))}");
        var board = status.Board;
        text.AppendLine($"Board:    {board.Kind}, display {board.Display}, LEDs green {board.Green} / amber {board.Amber} / red {board.Red}");
        if (status.Button is { Stuck: true } button)
        {
            text.AppendLine($"Button:   stuck since {button.Since:HH:mm:ss} (reads pressed; check the wiring)");
        }
        if (status.SetupProblem is { } setup)
        {
            text.AppendLine($"Setup:    the setup file was refused ({setup}); the last good settings stay");
        }
        if (status.Mqtt is { } mqtt)
        {
            var problem = mqtt.LastError is null ? "" : $"; last error {mqtt.LastErrorAt:yyyy-MM-dd HH:mm:ss}Z: {mqtt.LastError}";
            text.AppendLine($"MQTT:     {(mqtt.Connected ? "connected to" : "not connected to")} {mqtt.Broker} since {mqtt.Since:yyyy-MM-dd HH:mm:ss}Z{problem}");
        }
        if (status.StalledLoops.Count > 0)
        {
            text.AppendLine($"Stalled:  {string.Join(", ", status.StalledLoops)}");
        }
        text.Append($"Version:  {status.Version}, up {TimeSpan.FromSeconds(status.UptimeSeconds)}");
        return text.ToString();
    }
}
