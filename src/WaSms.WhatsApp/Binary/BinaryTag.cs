namespace WaSms.WhatsApp.Binary;

/// <summary>
/// Tag bytes of the binary node format (dictionary v3). Values checked against Baileys
/// rc14 lib/WABinary/constants.js <c>TAGS</c> and whatsmeow binary/token/token.go; see
/// docs/protocol/binary-nodes.md §2.
/// </summary>
internal static class BinaryTag
{
    /// <summary>Empty list, empty string, or an absent JID user.</summary>
    public const byte ListEmpty = 0;

    /// <summary>Highest single-byte token index (1..235).</summary>
    public const byte LastSingleByteToken = 235;

    /// <summary>Double-byte token, dictionary 0; the next byte is the index.</summary>
    public const byte Dictionary0 = 236;

    /// <summary>Double-byte token, dictionary 1.</summary>
    public const byte Dictionary1 = 237;

    /// <summary>Double-byte token, dictionary 2.</summary>
    public const byte Dictionary2 = 238;

    /// <summary>Double-byte token, dictionary 3.</summary>
    public const byte Dictionary3 = 239;

    /// <summary>Interop JID: user, uint16 device, uint16 integrator, server ("interop").</summary>
    public const byte InteropJid = 245;

    /// <summary>Messenger JID: user, uint16 device, server ("msgr").</summary>
    public const byte FbJid = 246;

    /// <summary>Device JID: domain/agent byte, device byte, user.</summary>
    public const byte AdJid = 247;

    /// <summary>List with a one-byte size.</summary>
    public const byte List8 = 248;

    /// <summary>List with a two-byte big-endian size.</summary>
    public const byte List16 = 249;

    /// <summary>JID pair: user (or ListEmpty), then server.</summary>
    public const byte JidPair = 250;

    /// <summary>Packed string from the alphabet 0-9 A-F.</summary>
    public const byte Hex8 = 251;

    /// <summary>Raw bytes with a one-byte length.</summary>
    public const byte Binary8 = 252;

    /// <summary>Raw bytes with a three-byte length of which the low 20 bits count.</summary>
    public const byte Binary20 = 253;

    /// <summary>Raw bytes with a four-byte big-endian length.</summary>
    public const byte Binary32 = 254;

    /// <summary>Packed string from the alphabet 0-9 '-' '.'.</summary>
    public const byte Nibble8 = 255;

    /// <summary>Longest string that may be packed (characters).</summary>
    public const int PackedMax = 127;

    /// <summary>True for the four JID tags.</summary>
    public static bool IsJid(byte tag) => tag is InteropJid or FbJid or AdJid or JidPair;
}
