using WaSms.WhatsApp.Binary;

namespace WaSms.WhatsApp.Tests.Binary;

/// <summary>Seeded generator of valid nodes that exercise every string class, JID kind and content kind.</summary>
internal sealed class RandomNodes(int seed)
{
    private static readonly string[] s_servers =
        [JidServer.WhatsApp, JidServer.Lid, JidServer.Group, JidServer.Broadcast, JidServer.Newsletter,
         JidServer.LegacyUser, JidServer.Hosted, JidServer.HostedLid, JidServer.Bot, JidServer.Messenger, JidServer.Interop];

    private readonly Random _random = new(seed);

    public Random Random => _random;

    public Node Next(int maxDepth = 4)
    {
        int attributeCount = _random.Next(4) == 0 ? _random.Next(0, 12) : _random.Next(0, 4);
        var attributes = new List<NodeAttribute>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < attributeCount; i++)
        {
            string key = NextString(allowEmpty: false);
            if (keys.Add(key))
            {
                attributes.Add(new NodeAttribute(key, _random.Next(3) == 0 ? NextJid() : NextString(allowEmpty: true)));
            }
        }

        NodeContent content = _random.Next(4) switch
        {
            0 => NodeContent.None,
            1 => NodeContent.FromBytes(NextBytes()),
            _ when maxDepth > 1 => NodeContent.FromNodes(Enumerable.Range(0, _random.Next(0, 4)).Select(_ => Next(maxDepth - 1)).ToList()),
            _ => NodeContent.None,
        };
        return new Node(NextString(allowEmpty: false), attributes, content);
    }

    public string NextString(bool allowEmpty)
    {
        while (true)
        {
            string value = _random.Next(7) switch
            {
                0 => Token(),
                1 => Token(),
                2 => FromAlphabet("0123456789-.", _random.Next(1, 140)),
                3 => FromAlphabet("0123456789ABCDEF", _random.Next(1, 140)),
                4 => FromAlphabet("abcdefghijklmnopqrstuvwxyz_-:", _random.Next(0, 20)),
                5 => FromAlphabet("é✓ß漢 x", _random.Next(1, 10)),
                _ => FromAlphabet("abcXYZ0123", _random.Next(0, 300)),
            };
            if (value.Length > 0 || allowEmpty)
            {
                return value;
            }
        }
    }

    public Jid NextJid()
    {
        string server = s_servers[_random.Next(s_servers.Length)];
        string user = _random.Next(8) == 0 ? string.Empty : FromAlphabet("0123456789", _random.Next(1, 20));
        bool adServer = server is JidServer.WhatsApp or JidServer.Lid or JidServer.Hosted or JidServer.HostedLid;
        ushort? device = server switch
        {
            JidServer.Messenger or JidServer.Interop => (ushort)_random.Next(0, 65536),
            _ when adServer && _random.Next(2) == 0 => (ushort)_random.Next(0, 256),
            _ => null,
        };
        byte agent = server == JidServer.WhatsApp && device is not null && _random.Next(6) == 0 ? (byte)_random.Next(2, 128) : (byte)0;
        ushort integrator = server == JidServer.Interop ? (ushort)_random.Next(0, 65536) : (ushort)0;
        return new Jid(user, server, device, agent, integrator);
    }

    private byte[] NextBytes()
    {
        int length = _random.Next(10) switch
        {
            0 => _random.Next(250, 300),
            1 => 0,
            _ => _random.Next(1, 40),
        };
        byte[] bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private string Token()
    {
        int dictionary = _random.Next(-1, 4);
        return dictionary < 0
            ? (TokenDictionary.TryGetSingle((byte)_random.Next(1, 236), out string? single) ? single : "x")
            : (TokenDictionary.TryGetDouble(dictionary, (byte)_random.Next(256), out string? token) ? token : "x");
    }

    private string FromAlphabet(string alphabet, int length) =>
        string.Create(length, (alphabet, _random), static (span, state) =>
        {
            for (int i = 0; i < span.Length; i++)
            {
                span[i] = state.alphabet[state._random.Next(state.alphabet.Length)];
            }
        });
}
