namespace WaSms.Gateway.Logging;

/// <summary>
/// The last line of defence for secrets in logs: any registered secret value (platform token,
/// MQTT password, session material rendered as text) is replaced by <c>***</c>. The first line
/// is not logging them at all.
/// </summary>
public sealed class SecretRedactor
{
    private readonly Lock _gate = new();
    private string[] _secrets = [];

    /// <summary>Registers a value to hide; values shorter than 4 characters are ignored (they would mask ordinary text).</summary>
    public void Add(string secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length < 4)
        {
            return;
        }
        lock (_gate)
        {
            if (!_secrets.Contains(secret))
            {
                // Longest first, so a secret that contains another is hidden whole.
                _secrets = [.. _secrets.Append(secret).OrderByDescending(s => s.Length)];
            }
        }
    }

    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var secret in Volatile.Read(ref _secrets))
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }
        return text;
    }
}
