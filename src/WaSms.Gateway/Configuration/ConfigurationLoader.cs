using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Serilog.Events;
using WaSms.Hardware.Board;
using WaSms.Health;

namespace WaSms.Gateway.Configuration;

/// <summary>
/// Builds the settings from, lowest to highest: built-in defaults, the JSON file
/// (<c>/etc/wasms-gateway/gateway.json</c> or <c>--config</c>), environment variables
/// (<c>Section__Key</c> and <c>WASMS_Section__Key</c>), and the command line. Every value is
/// type-checked and validated before the service starts; errors name key, value and source.
/// </summary>
public static class ConfigurationLoader
{
    public const string DefaultConfigFile = "/etc/wasms-gateway/gateway.json";
    public const string EnvironmentPrefix = "WASMS_";

    private static readonly HashSet<string> SecretKeys = new(StringComparer.OrdinalIgnoreCase) { "Tunnel:Token", "Mqtt:Password" };

    private static readonly (string Section, PropertyInfo[] Properties)[] Sections =
    [
        ("Gateway", PropertiesOf<GatewayOptions>()),
        ("Board", PropertiesOf<BoardOptions>()),
        ("WhatsApp", PropertiesOf<WhatsAppOptions>()),
        ("Tunnel", PropertiesOf<TunnelOptions>()),
        ("Mqtt", PropertiesOf<MqttOptions>()),
        ("Log", PropertiesOf<LogOptions>()),
        ("Simulator", PropertiesOf<SimulatorOptions>()),
    ];

    /// <summary>Loads and validates the settings.</summary>
    /// <param name="commandLine">Settings given on the command line, as configuration keys, with the option that set each.</param>
    /// <param name="configFile">The file named by <c>--config</c>, or null for the default.</param>
    /// <param name="environment">The process environment (injectable for tests).</param>
    /// <exception cref="ConfigurationException">A value is invalid; one line per problem.</exception>
    public static GatewaySettings Load(IReadOnlyList<(string Key, string Value, string Option)> commandLine, string? configFile, IDictionary environment)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        ArgumentNullException.ThrowIfNull(environment);
        var problems = new List<string>();
        var warnings = new List<string>();

        configFile ??= environment[EnvironmentPrefix + "CONFIG"] as string;
        var explicitFile = configFile is not null;
        configFile ??= DefaultConfigFile;

        var layers = new List<ConfigurationLayer>
        {
            LoadFile(configFile, explicitFile, problems),
            LoadEnvironment(environment, prefixed: false),
            LoadEnvironment(environment, prefixed: true),
        };
        var cli = new ConfigurationLayer("the command line");
        foreach (var (key, value, option) in commandLine)
        {
            cli.Set(key, value, $"the command line ({option})");
        }
        layers.Add(cli);

        var builder = new ConfigurationBuilder();
        foreach (var layer in layers)
        {
            builder.AddInMemoryCollection(layer.Values);
        }
        var configuration = builder.Build();

        string Source(string key) =>
            layers.LastOrDefault(l => l.Values.ContainsKey(key))?.Describe(key) ?? "the built-in defaults";
        string Show(string key, string? value) =>
            SecretKeys.Contains(key) ? "(hidden)" : $"\"{value}\"";
        void Problem(string key, string problem)
        {
            var value = configuration[key];
            problems.Add($"invalid configuration: {key} = {Show(key, value)} (from {Source(key)}): {problem}");
        }

        CheckKeysAndTypes(configuration, layers, Problem, warnings, Source);

        var settings = new GatewaySettings
        {
            Warnings = warnings,
            WhatsAppServerUrlGiven = layers.Any(l => l.Values.ContainsKey("WhatsApp:ServerUrl")),
            TunnelUrlGiven = layers.Any(l => l.Values.ContainsKey("Tunnel:Url")),
            ConfigFile = File.Exists(configFile) ? configFile : null,
        };
        if (problems.Count == 0)
        {
            configuration.GetSection("Gateway").Bind(settings.Gateway);
            configuration.GetSection("Board").Bind(settings.Board);
            configuration.GetSection("WhatsApp").Bind(settings.WhatsApp);
            configuration.GetSection("Tunnel").Bind(settings.Tunnel);
            configuration.GetSection("Mqtt").Bind(settings.Mqtt);
            configuration.GetSection("Log").Bind(settings.Log);
            configuration.GetSection("Simulator").Bind(settings.Simulator);
            settings.Gateway.StateDirectory = Path.GetFullPath(settings.Gateway.StateDirectory);

            var rules = settings.Gateway.Validate().Concat(settings.Board.Validate()).Concat(settings.WhatsApp.Validate())
                .Concat(settings.Tunnel.Validate()).Concat(settings.Mqtt.Validate()).Concat(settings.Log.Validate())
                .Concat(settings.Simulator.Validate());
            foreach (var (key, problem) in rules)
            {
                Problem(key, problem);
            }
        }
        if (problems.Count > 0)
        {
            throw new ConfigurationException(problems);
        }
        return settings;
    }

    private static ConfigurationLayer LoadFile(string path, bool required, List<string> problems)
    {
        var layer = new ConfigurationLayer($"file {path}");
        if (!File.Exists(path))
        {
            if (required)
            {
                problems.Add($"invalid configuration: file {path} does not exist");
            }
            return layer;
        }
        try
        {
            var file = new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(path), optional: false).Build();
            foreach (var (key, value) in file.AsEnumerable())
            {
                if (value is not null)
                {
                    layer.Set(key, value);
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or IOException or UnauthorizedAccessException)
        {
            var detail = ex.InnerException?.Message ?? ex.Message;
            problems.Add($"invalid configuration: file {path} cannot be read: {detail}");
        }
        return layer;
    }

    private static ConfigurationLayer LoadEnvironment(IDictionary environment, bool prefixed)
    {
        var layer = new ConfigurationLayer(prefixed ? $"environment variables {EnvironmentPrefix}*" : "environment variables");
        foreach (DictionaryEntry entry in environment)
        {
            var name = (string)entry.Key;
            var key = name;
            if (prefixed != name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            if (prefixed)
            {
                key = name[EnvironmentPrefix.Length..];
                if (key.Equals("CONFIG", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }
            }
            key = key.Replace("__", ":", StringComparison.Ordinal);
            var section = key.Split(':')[0];
            // Unprefixed variables are the whole environment (PATH, HOME…): take only our sections.
            if (!key.Contains(':', StringComparison.Ordinal) || (!prefixed && !Sections.Any(s => s.Section.Equals(section, StringComparison.OrdinalIgnoreCase))))
            {
                continue;
            }
            layer.Set(key, entry.Value as string, $"environment variable {name}");
        }
        return layer;
    }

    private static void CheckKeysAndTypes(IConfiguration configuration, List<ConfigurationLayer> layers, Action<string, string> problem, List<string> warnings, Func<string, string> source)
    {
        var known = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (section, properties) in Sections)
        {
            foreach (var property in properties)
            {
                var key = $"{section}:{property.Name}";
                known.Add(key);
                var value = configuration[key];
                if (value is not null && !CanConvert(value, property.PropertyType, out var expected))
                {
                    problem(key, $"not {expected}");
                }
            }
        }
        foreach (var key in layers.SelectMany(l => l.Values.Keys).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (!known.Contains(key) && layers.Any(l => l.Values.TryGetValue(key, out var v) && v is not null))
            {
                warnings.Add($"unknown configuration key {key} (from {source(key)}) is ignored");
            }
        }
    }

    private static bool CanConvert(string value, Type type, out string expected)
    {
        var text = value.Trim();
        if (type == typeof(string))
        {
            expected = "text";
            return true;
        }
        if (type == typeof(int))
        {
            expected = "a whole number";
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _);
        }
        if (type == typeof(bool))
        {
            expected = "true or false";
            return bool.TryParse(text, out _);
        }
        if (type == typeof(TimeSpan))
        {
            expected = "a duration like 00:00:05";
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero;
        }
        if (type == typeof(BoardKind))
        {
            return IsEnumName<BoardKind>(text, out expected);
        }
        if (type == typeof(LogEventLevel))
        {
            return IsEnumName<LogEventLevel>(text, out expected);
        }
        if (type == typeof(Hardware.Display.Ssd1680.PanelKind))
        {
            return IsEnumName<Hardware.Display.Ssd1680.PanelKind>(text, out expected);
        }
        throw new NotSupportedException($"Options property type {type} has no check");
    }

    private static bool IsEnumName<TEnum>(string text, out string expected) where TEnum : struct, Enum
    {
        expected = "one of " + string.Join(", ", Enum.GetNames<TEnum>());
        return Enum.GetNames<TEnum>().Any(n => n.Equals(text, StringComparison.OrdinalIgnoreCase));
    }

    private static PropertyInfo[] PropertiesOf<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>() =>
        typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToArray();
}
