namespace WaSms.Gateway.Provisioning;

/// <summary>A problem in the provisioning file: which key, on which line (1-based), and why.</summary>
internal sealed class ProvisioningFileException : Exception
{
    public ProvisioningFileException(string key, int line, string message)
        : base(message)
    {
        Key = key;
        Line = line;
    }

    public ProvisioningFileException()
    {
    }

    public ProvisioningFileException(string message)
        : base(message)
    {
    }

    public ProvisioningFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public string Key { get; } = "";

    public int Line { get; }
}

/// <summary>
/// The provisioning file: <c>key = value</c> lines, whole-line <c>#</c> comments, blank lines.
/// A value may be wrapped in double quotes to keep leading or trailing spaces; everything after the
/// first <c>=</c> is the value, so passphrases may contain <c>#</c> and <c>=</c>. An empty value
/// means "leave as it is". Written on Windows or macOS: a BOM and CRLF line ends are accepted.
/// </summary>
internal sealed class ProvisioningFile
{
    private ProvisioningFile(List<string> lines, Dictionary<string, (string Value, int Line)> values, string newline)
    {
        Lines = lines;
        Values = values;
        Newline = newline;
    }

    public List<string> Lines { get; }

    /// <summary>Non-empty, checked values by key, with their 1-based line.</summary>
    public IReadOnlyDictionary<string, (string Value, int Line)> Values { get; }

    private string Newline { get; }

    /// <summary>Parses and checks every line; nothing is returned unless the whole file is good.</summary>
    /// <exception cref="ProvisioningFileException">The first bad line: unknown key, duplicate, bad value.</exception>
    public static ProvisioningFile Parse(string text, string root)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.TrimStart('\uFEFF');
        var newline = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }
        var values = new Dictionary<string, (string, int)>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Count; i++)
        {
            var number = i + 1;
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            // Never echo a line that is not a known "key = value": it may be a wrapped passphrase or binary junk.
            if (eq < 0)
            {
                throw new ProvisioningFileException("", number, "not \"key = value\" (its text is not shown: it may be part of a secret)");
            }
            var key = line[..eq].Trim().ToLowerInvariant();
            var value = line[(eq + 1)..].Trim();
            if (value.Length >= 2 && value.StartsWith('"') && value.EndsWith('"'))
            {
                value = value[1..^1];
            }
            if (!ProvisioningKeys.All.Contains(key))
            {
                var guess = ProvisioningKeys.All.FirstOrDefault(k => Distance(k, key) <= 2);
                throw new ProvisioningFileException("", number, "not a known setting" +
                    (guess is null ? "" : $" (did you mean {guess}?)") + $"; known: {string.Join(", ", ProvisioningKeys.All)}");
            }
            if (!seen.Add(key))
            {
                throw new ProvisioningFileException(key, number, $"{key} is set twice");
            }
            if (value.Length == 0)
            {
                continue;
            }
            try
            {
                values[key] = (ProvisioningKeys.Check(key, value, root), number);
            }
            catch (FormatException ex)
            {
                throw new ProvisioningFileException(key, number, $"{key} {ex.Message}");
            }
        }
        if (values.TryGetValue(ProvisioningKeys.WifiPassphrase, out var passphrase) && !values.ContainsKey(ProvisioningKeys.WifiSsid))
        {
            throw new ProvisioningFileException(ProvisioningKeys.WifiPassphrase, passphrase.Item2, "wifi_passphrase needs wifi_ssid in the same file");
        }
        return new ProvisioningFile(lines, values, newline);
    }

    /// <summary>Edit distance, to name the known key a typo was probably meant to be (without echoing the typo).</summary>
    private static int Distance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 2)
        {
            return int.MaxValue;
        }
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            previous = current;
        }
        return previous[b.Length];
    }

    public bool Has(string key) => Values.ContainsKey(key);

    public string? Get(string key) => Values.TryGetValue(key, out var entry) ? entry.Value : null;

    /// <summary>
    /// The file with every secret value removed and a comment above each saying it was applied, so
    /// the card can be read on any PC afterwards without giving the secrets away.
    /// </summary>
    public string Scrubbed(string appliedOn)
    {
        var output = new List<string>(Lines.Count + 4);
        for (var i = 0; i < Lines.Count; i++)
        {
            var secret = Values.FirstOrDefault(v => v.Value.Line == i + 1 && ProvisioningKeys.Secrets.Contains(v.Key)).Key;
            if (secret is null)
            {
                output.Add(Lines[i]);
                continue;
            }
            // The note of an earlier scrub of the same key is replaced, not stacked.
            var note = $"# {secret} was applied on ";
            if (output.Count > 0 && output[^1].StartsWith(note, StringComparison.Ordinal))
            {
                output.RemoveAt(output.Count - 1);
            }
            output.Add($"{note}{appliedOn} and removed from this file; the gateway keeps it. Leave it empty to keep it.");
            output.Add($"{secret} =");
        }
        return string.Join(Newline, output) + Newline;
    }
}
