using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace WaSms.WhatsApp.Binary;

/// <summary>
/// The dictionary-v3 token tables: 235 single-byte tokens (1..235) and four dictionaries of 256
/// double-byte tokens. The tables are data, embedded from <c>Binary/tokens-v3.json</c>, whose first
/// line names their source (docs/protocol/binary-nodes.md §3).
/// </summary>
internal static class TokenDictionary
{
    /// <summary>The dictionary version; the connection header carries it (<c>WA 06 03</c>).</summary>
    public const int Version = 3;

    private const string ResourceName = "WaSms.WhatsApp.Binary.tokens-v3.json";
    private const int SingleCount = BinaryTag.LastSingleByteToken + 1;
    private const int DictionaryCount = 4;
    private const int DictionarySize = 256;

    private static readonly Tables s_tables = Load();

    /// <summary>The source line from the resource.</summary>
    public static string Source => s_tables.Source;

    /// <summary>The single-byte token for tag bytes 1..235.</summary>
    public static bool TryGetSingle(byte tag, [NotNullWhen(true)] out string? token)
    {
        if (tag is >= 1 and <= BinaryTag.LastSingleByteToken)
        {
            token = s_tables.Single[tag];
            return true;
        }

        token = null;
        return false;
    }

    /// <summary>The double-byte token at <paramref name="dictionary"/> (0..3) and <paramref name="index"/>.</summary>
    public static bool TryGetDouble(int dictionary, byte index, [NotNullWhen(true)] out string? token)
    {
        if (dictionary is >= 0 and < DictionaryCount)
        {
            token = s_tables.Double[dictionary][index];
            return true;
        }

        token = null;
        return false;
    }

    /// <summary>
    /// Finds a token for <paramref name="text"/>. <paramref name="dictionary"/> is -1 for a
    /// single-byte token, otherwise 0..3.
    /// </summary>
    public static bool TryFind(string text, out int dictionary, out byte index)
    {
        if (s_tables.Index.TryGetValue(text, out int packed))
        {
            dictionary = (packed >> 8) - 1;
            index = (byte)packed;
            return true;
        }

        dictionary = 0;
        index = 0;
        return false;
    }

    private static Tables Load()
    {
        using Stream stream = typeof(TokenDictionary).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from the build.");
        using JsonDocument document = JsonDocument.Parse(stream);
        JsonElement root = document.RootElement;
        string source = root.GetProperty("source").GetString() ?? string.Empty;
        if (root.GetProperty("dictVersion").GetInt32() != Version)
        {
            throw new InvalidOperationException($"{ResourceName} is not dictionary version {Version}.");
        }

        string[] single = ReadList(root.GetProperty("single"), SingleCount, "single");
        if (single[0].Length != 0)
        {
            throw new InvalidOperationException($"{ResourceName}: single-byte token 0 must be empty (tag 0 is LIST_EMPTY).");
        }

        JsonElement doubles = root.GetProperty("double");
        if (doubles.GetArrayLength() != DictionaryCount)
        {
            throw new InvalidOperationException($"{ResourceName}: expected {DictionaryCount} double-byte dictionaries.");
        }

        var dictionaries = new string[DictionaryCount][];
        for (int d = 0; d < DictionaryCount; d++)
        {
            dictionaries[d] = ReadList(doubles[d], DictionarySize, $"double[{d}]");
        }

        // Key: (dictionary + 1) << 8 | index, so 0x00nn is a single-byte token.
        var index = new Dictionary<string, int>(SingleCount + (DictionaryCount * DictionarySize), StringComparer.Ordinal);
        for (int i = 1; i < SingleCount; i++)
        {
            Add(index, single[i], i);
        }

        for (int d = 0; d < DictionaryCount; d++)
        {
            for (int i = 0; i < DictionarySize; i++)
            {
                Add(index, dictionaries[d][i], ((d + 1) << 8) | i);
            }
        }

        return new Tables(source, single, dictionaries, index);
    }

    private static void Add(Dictionary<string, int> index, string token, int value)
    {
        if (token.Length == 0 || !index.TryAdd(token, value))
        {
            throw new InvalidOperationException($"{ResourceName}: token '{token}' is empty or appears twice.");
        }
    }

    private static string[] ReadList(JsonElement array, int expected, string name)
    {
        if (array.GetArrayLength() != expected)
        {
            throw new InvalidOperationException($"{ResourceName}: '{name}' has {array.GetArrayLength()} entries, expected {expected}.");
        }

        var result = new string[expected];
        int i = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            result[i++] = item.GetString() ?? throw new InvalidOperationException($"{ResourceName}: '{name}'[{i - 1}] is not a string.");
        }

        return result;
    }

    private sealed record Tables(string Source, string[] Single, string[][] Double, Dictionary<string, int> Index);
}
