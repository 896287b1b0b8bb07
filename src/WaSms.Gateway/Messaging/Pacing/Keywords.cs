using System.Globalization;
using System.Text;

namespace WaSms.Gateway.Messaging.Pacing;

/// <summary>
/// Keyword lists (<c>Pacing:OptOutKeywords</c>, <c>Pacing:OptInKeywords</c>) and how a text is matched
/// against them: the whole text must be the keyword once whitespace, punctuation and symbols (emoji
/// included) around it are trimmed and case is folded — "Stop!", " stop. " and "STOP 🙏" match STOP,
/// "please stop" does not.
/// </summary>
/// <param name="Words">Normalised keyword → the keyword as configured.</param>
/// <param name="Problem">Why the list was refused, else null.</param>
public sealed record Keywords(IReadOnlyDictionary<string, string> Words, string? Problem)
{
    /// <summary>Longer texts are never a keyword; they are not even normalised.</summary>
    public const int MaxKeywordLength = 40;

    /// <summary>A comma-separated list; an empty one matches nothing.</summary>
    public static Keywords Parse(string list)
    {
        ArgumentNullException.ThrowIfNull(list);
        var words = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var normal = Normalize(item);
            if (normal is null || normal.Length != item.Length)
            {
                return new Keywords(words, $"\"{item}\" is not a keyword: a keyword is one word without punctuation or symbols around it, at most {MaxKeywordLength} characters");
            }
            words.TryAdd(normal, item);
        }
        return new Keywords(words, null);
    }

    /// <summary>The keyword <paramref name="text"/> is, as configured, or null.</summary>
    public string? Match(string? text) => Normalize(text) is { } normal && Words.TryGetValue(normal, out var keyword) ? keyword : null;

    /// <summary>
    /// The text trimmed of whitespace, punctuation and symbols at both ends and upper-cased; null when nothing is
    /// left or it is too long. Not Unicode-normalised (the build is globalization-invariant): phones send composed letters.
    /// </summary>
    public static string? Normalize(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > MaxKeywordLength * 4)
        {
            return null;
        }
        var runes = text.EnumerateRunes().ToList();
        var start = runes.FindIndex(r => !IsFiller(r));
        var end = runes.FindLastIndex(r => !IsFiller(r));
        if (start < 0 || end - start + 1 > MaxKeywordLength)
        {
            return null;
        }
        var core = new StringBuilder();
        foreach (var rune in runes.GetRange(start, end - start + 1))
        {
            core.Append(Rune.ToUpperInvariant(rune).ToString());
        }
        return core.ToString();
    }

    private static bool IsFiller(Rune rune) =>
        Rune.IsWhiteSpace(rune) || Rune.IsPunctuation(rune) || Rune.IsSymbol(rune) || Rune.IsControl(rune) ||
        Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format || rune.Value is 0xFE0E or 0xFE0F; // joiners and emoji variation selectors
}
