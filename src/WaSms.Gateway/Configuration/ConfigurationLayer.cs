namespace WaSms.Gateway.Configuration;

/// <summary>
/// One layer of settings (file, environment, command line) with where each value came from, so an
/// error can say "from file /etc/wasms-gateway/gateway.json" or "from environment variable WASMS_MQTT__PORT".
/// </summary>
internal sealed class ConfigurationLayer(string description)
{
    private readonly Dictionary<string, string> _origins = new(StringComparer.OrdinalIgnoreCase);

    public string Description => description;

    public Dictionary<string, string?> Values { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>JSON <c>null</c>s, objects and arrays found where a setting's value (or a section) belongs.</summary>
    public List<(string Key, System.Text.Json.JsonValueKind Kind, string Shown)> Shapes { get; } = [];

    public void Set(string key, string? value, string? origin = null)
    {
        Values[key] = value;
        if (origin is not null)
        {
            _origins[key] = origin;
        }
    }

    public string Describe(string key) => _origins.TryGetValue(key, out var origin) ? origin : description;
}
