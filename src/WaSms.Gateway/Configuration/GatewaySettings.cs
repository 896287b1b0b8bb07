using WaSms.Gateway.Messaging.Pacing;
using WaSms.Hardware.Board;
using WaSms.Health;

namespace WaSms.Gateway.Configuration;

/// <summary>Every options section, bound and validated, plus what the loader noticed on the way.</summary>
public sealed class GatewaySettings
{
    public GatewayOptions Gateway { get; init; } = new();

    public BoardOptions Board { get; init; } = new();

    public WhatsAppOptions WhatsApp { get; init; } = new();

    public TunnelOptions Tunnel { get; init; } = new();

    public MqttOptions Mqtt { get; init; } = new();

    public LogOptions Log { get; init; } = new();

    public SimulatorOptions Simulator { get; init; } = new();

    public MessagingOptions Messaging { get; init; } = new();
    public PacingOptions Pacing { get; init; } = new();

    public UpdatesOptions Updates { get; init; } = new();

    /// <summary>Unknown keys and similar; logged once at start-up.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>True when <c>WhatsApp:ServerUrl</c> was set anywhere (dev mode then leaves it alone).</summary>
    public bool WhatsAppServerUrlGiven { get; init; }

    /// <summary>True when <c>Tunnel:Url</c> was set anywhere.</summary>
    public bool TunnelUrlGiven { get; init; }

    /// <summary>The config file that was read, or null when there was none.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>Where a key's value came from ("file …", "environment variable …", "the built-in defaults").</summary>
    public Func<string, string> SourceOf { get; init; } = _ => "the built-in defaults";

    /// <summary>A problem found after loading (state directory, log file), in the loader's one-line form.</summary>
    public string Problem(string key, string value, string problem) =>
        ConfigurationLoader.FormatProblem(key, $"\"{value}\"", SourceOf(key), problem);

    /// <summary>Secret values (token, passwords) that the log formatter must never print.</summary>
    public IReadOnlyList<string> SecretValues =>
        new[] { Tunnel.Token, Tunnel.EnrollmentCode, Mqtt.Password }.Where(s => s.Length >= 4).ToArray();

    /// <summary>The effective settings as key/value lines for the start-up log, secrets hidden.</summary>
    public IEnumerable<string> Describe()
    {
        yield return $"Gateway:StateDirectory={Gateway.StateDirectory}";
        yield return $"Board:Kind={Board.Kind} Panel={Board.PanelWidth}x{Board.PanelHeight}";
        yield return $"WhatsApp:ServerUrl={WhatsApp.ServerUrl} ClientVersion={WhatsApp.ClientVersion}";
        yield return $"Tunnel:Url={(Tunnel.Url.Length > 0 ? Tunnel.Url : "(none)")} Token={(Tunnel.Token.Length > 0 ? "(set)" : "(none)")}";
        yield return $"Mqtt:Host={(Mqtt.Host.Length > 0 ? $"{Mqtt.Host}:{Mqtt.Port}" : "(off)")} Password={(Mqtt.Password.Length > 0 ? "(set)" : "(none)")}";
        yield return $"Log:Level={Log.Level} File={(Log.File.Length > 0 ? Log.File : "(none)")}";
        yield return $"Simulator:Url={Simulator.Url} AllowRemote={Simulator.AllowRemote}";
        yield return $"Messaging:RetentionDays={Messaging.RetentionDays} UndecryptableAfterMinutes={Messaging.UndecryptableAfterMinutes}";
        yield return $"Pacing: {Pacing.ToSettings()}, opt-out keywords {Pacing.OptOutKeywords}, opt-in {Pacing.OptInKeywords}";
        yield return $"Updates:Directory={Updates.DirectoryFor(Gateway.StateDirectory)} AllowHttp={Updates.AllowHttp} MaxBundleBytes={Updates.MaxBundleBytes} FailureFile={Updates.FailureFile}";
    }
}
