namespace WaSms.Gateway.Configuration;

/// <summary>Thrown by <see cref="ConfigurationLoader"/> when a setting is invalid; the process exits with code 78.</summary>
public sealed class ConfigurationException(IReadOnlyList<string> problems) : Exception(string.Join(Environment.NewLine, problems))
{
    /// <summary>One line per problem, each naming the key, the bad value and where it came from.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;
}
