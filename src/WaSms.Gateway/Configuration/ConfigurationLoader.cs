using WaSms.Gateway.Messaging.Pacing;
using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
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
public static partial class ConfigurationLoader
{
    public const string DefaultConfigFile = "/etc/wasms-gateway/gateway.json";
    public const string EnvironmentPrefix = "WASMS_";

    private static readonly HashSet<string> SecretKeys = new(StringComparer.OrdinalIgnoreCase) { "Tunnel:Token", "Tunnel:EnrollmentCode", "Mqtt:Password" };

    private static readonly (string Section, PropertyInfo[] Properties)[] Sections =
    [
        ("Gateway", PropertiesOf<GatewayOptions>()),
        ("Board", PropertiesOf<BoardOptions>()),
        ("WhatsApp", PropertiesOf<WhatsAppOptions>()),
        ("Tunnel", PropertiesOf<TunnelOptions>()),
        ("Mqtt", PropertiesOf<MqttOptions>()),
        ("Log", PropertiesOf<LogOptions>()),
        ("Simulator", PropertiesOf<SimulatorOptions>()),
        ("Messaging", PropertiesOf<MessagingOptions>()),
        ("Pacing", PropertiesOf<PacingOptions>()),
        ("Updates", PropertiesOf<UpdatesOptions>()),
    ];

    private static readonly HashSet<string> KnownKeys = new(
        Sections.SelectMany(s => s.Properties.Select(p => $"{s.Section}:{p.Name}")), StringComparer.OrdinalIgnoreCase);

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

        bool Given(string key) => layers.Any(l => l.Values.ContainsKey(key));
        string Source(string key) =>
            layers.LastOrDefault(l => l.Values.ContainsKey(key))?.Describe(key) ?? "the built-in defaults";

        var settings = new GatewaySettings
        {
            Warnings = warnings,
            WhatsAppServerUrlGiven = Given("WhatsApp:ServerUrl"),
            TunnelUrlGiven = Given("Tunnel:Url"),
            ConfigFile = File.Exists(configFile) ? configFile : null,
            SourceOf = Source,
        };

        // A key not set anywhere is shown with its default, so a rule that fails on it still names a value.
        string Value(string key) => configuration[key] ?? Effective(settings, key) ?? "";
        string Shown(string key) => Show(key, Value(key));
        void Problem(string key, string problem)
        {
            // A rule between two keys (FactoryResetHold > RelinkHold) names both, leading with the one that was set.
            var other = KeyMention().Matches(problem).Select(m => m.Value).FirstOrDefault(k => KnownKeys.Contains(k) && !k.Equals(key, StringComparison.OrdinalIgnoreCase));
            if (other is null)
            {
                problems.Add(FormatProblem(key, Shown(key), Source(key), problem));
                return;
            }
            var (lead, second) = !Given(key) && Given(other) ? (other, key) : (key, other);
            problems.Add($"invalid configuration: {lead} = {Shown(lead)} (from {Source(lead)}) conflicts with {second} = {Shown(second)} (from {Source(second)}): {key} {problem}");
        }

        CheckKeysAndTypes(configuration, layers, Problem, warnings, Source);
        CheckShapes(layers, problems);
        foreach (var (key, _, option) in commandLine.Where(c => SecretKeys.Contains(c.Key)))
        {
            warnings.Add($"{key} was given on the command line ({option}): every local user can read it with ps; " +
                         $"put it in {DefaultConfigFile} (0640) or the service's environment instead");
        }
        if (problems.Count == 0)
        {
            configuration.GetSection("Gateway").Bind(settings.Gateway);
            configuration.GetSection("Board").Bind(settings.Board);
            configuration.GetSection("WhatsApp").Bind(settings.WhatsApp);
            configuration.GetSection("Tunnel").Bind(settings.Tunnel);
            configuration.GetSection("Mqtt").Bind(settings.Mqtt);
            configuration.GetSection("Log").Bind(settings.Log);
            configuration.GetSection("Simulator").Bind(settings.Simulator);
            configuration.GetSection("Messaging").Bind(settings.Messaging);
            configuration.GetSection("Pacing").Bind(settings.Pacing);
            configuration.GetSection("Updates").Bind(settings.Updates);
            var gatewayRules = settings.Gateway.Validate().ToList();
            if (gatewayRules.Count == 0)
            {
                settings.Gateway.StateDirectory = Path.GetFullPath(settings.Gateway.StateDirectory);
            }

            var rules = gatewayRules.Concat(settings.Board.Validate()).Concat(settings.WhatsApp.Validate())
                .Concat(settings.Tunnel.Validate()).Concat(settings.Mqtt.Validate()).Concat(settings.Log.Validate())
                .Concat(settings.Simulator.Validate()).Concat(settings.Messaging.Validate()).Concat(settings.Pacing.Validate())
                .Concat(settings.Updates.Validate());
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

    /// <summary>The one-line form of every configuration problem: key, value (or "(hidden)"), source, what is wrong.</summary>
    internal static string FormatProblem(string key, string shownValue, string source, string problem) =>
        $"invalid configuration: {key} = {shownValue} (from {source}): {problem}";

    private static string Show(string key, string? value) =>
        SecretKeys.Contains(key) ? "(hidden)" : $"\"{value}\"";

    /// <summary>The bound value of <paramref name="key"/> (its default when nothing set it), as text.</summary>
    private static string? Effective(GatewaySettings settings, string key)
    {
        var parts = key.Split(':');
        object? section = parts[0].ToUpperInvariant() switch
        {
            "GATEWAY" => settings.Gateway,
            "BOARD" => settings.Board,
            "WHATSAPP" => settings.WhatsApp,
            "TUNNEL" => settings.Tunnel,
            "MQTT" => settings.Mqtt,
            "LOG" => settings.Log,
            "SIMULATOR" => settings.Simulator,
            "MESSAGING" => settings.Messaging,
            "PACING" => settings.Pacing,
            "UPDATES" => settings.Updates,
            _ => null,
        };
        var property = Sections.FirstOrDefault(s => s.Section.Equals(parts[0], StringComparison.OrdinalIgnoreCase)).Properties?
            .FirstOrDefault(p => parts.Length == 2 && p.Name.Equals(parts[1], StringComparison.OrdinalIgnoreCase));
        return section is null || property is null ? null : property.GetValue(section) switch
        {
            TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
            bool flag => flag ? "true" : "false",
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            var other => other?.ToString(),
        };
    }

    /// <summary>JSON <c>null</c>, objects and arrays where a setting's value or a section belongs.</summary>
    private static void CheckShapes(List<ConfigurationLayer> layers, List<string> problems)
    {
        foreach (var layer in layers)
        {
            foreach (var (key, kind, shown) in layer.Shapes)
            {
                var section = Sections.FirstOrDefault(s => s.Section.Equals(key, StringComparison.OrdinalIgnoreCase));
                string problem;
                if (section.Properties is not null)
                {
                    problem = $"must be an object holding {section.Section} settings" + (kind == JsonValueKind.Null ? " (leave the section out for the defaults)" : "");
                }
                else
                {
                    var type = Sections.SelectMany(s => s.Properties.Select(p => (Key: $"{s.Section}:{p.Name}", p.PropertyType)))
                        .First(p => p.Key.Equals(key, StringComparison.OrdinalIgnoreCase)).PropertyType;
                    CanConvert("", type, out var expected);
                    problem = kind == JsonValueKind.Null
                        ? $"null is not {expected}; leave the key out to use the default"
                        : $"{(kind == JsonValueKind.Object ? "an object" : "an array")} where {expected} belongs";
                }
                problems.Add(FormatProblem(key, shown, layer.Describe(key), problem));
            }
        }
    }

    /// <summary>
    /// Flattens the JSON file into <c>Section:Key</c> values like the configuration JSON provider, but
    /// keeps what that provider hides: a <c>null</c> (it falls back to the default silently) and an
    /// object or array where a value belongs (it becomes unknown sub-keys) are recorded as shapes.
    /// </summary>
    private static void Flatten(JsonElement element, string path, ConfigurationLayer layer)
    {
        var isKey = KnownKeys.Contains(path);
        var isSection = Sections.Any(s => s.Section.Equals(path, StringComparison.OrdinalIgnoreCase));
        switch (element.ValueKind)
        {
            case JsonValueKind.Object when !isKey:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, path.Length == 0 ? property.Name : $"{path}:{property.Name}", layer);
                }
                break;
            case JsonValueKind.Array when !isKey && !isSection:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, $"{path}:{index++}", layer);
                }
                break;
            case JsonValueKind.String when !isSection:
                layer.Set(path, element.GetString());
                break;
            case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False when !isSection:
                layer.Set(path, element.ValueKind switch { JsonValueKind.True => "true", JsonValueKind.False => "false", _ => element.GetRawText() });
                break;
            default:
                if (isKey || isSection)
                {
                    layer.Shapes.Add((path, element.ValueKind, element.ValueKind switch
                    {
                        JsonValueKind.Null => "null",
                        JsonValueKind.Object => "{…}",
                        JsonValueKind.Array => "[…]",
                        JsonValueKind.String => $"\"{element.GetString()}\"",
                        _ => $"\"{element.GetRawText()}\"",
                    }));
                }
                break; // a null below an unknown key changes nothing
        }
    }

    [GeneratedRegex(@"\b[A-Za-z]+:[A-Za-z]+\b")]
    private static partial Regex KeyMention();

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
            // The same leniency as the configuration JSON provider: comments and trailing commas.
            using var document = JsonDocument.Parse(File.ReadAllBytes(path),
                new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"invalid configuration: file {path} must hold one JSON object ({{ \"Section\": {{ \"Key\": value }} }})");
                return layer;
            }
            Flatten(document.RootElement, "", layer);
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            problems.Add($"invalid configuration: file {path} cannot be read: {ex.Message}");
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
        if (type == typeof(long))
        {
            expected = "a whole number";
            return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _);
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
