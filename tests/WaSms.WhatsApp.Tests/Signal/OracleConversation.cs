using System.Text.Json.Nodes;
using WaSms.WhatsApp.Signal;

namespace WaSms.WhatsApp.Tests.Signal;

/// <summary>
/// A seeded conversation between <see cref="SignalParty"/> (our code) and a libsignal-node party in
/// the oracle: both sides send batches in rounds, each delivery is shuffled, some messages are
/// dropped and some arrive a round late, so chains skip keys and ratchets turn while messages are
/// in flight. Every delivered message must decrypt to what was sent.
/// </summary>
internal sealed class OracleConversation(LibsignalOracle oracle, SignalParty us, string them, int seed)
{
    private const double DropRate = 0.08;
    private const double LateRate = 0.08;

    private readonly Random _random = new(seed);
    private readonly List<InFlight> _toThem = [];
    private readonly List<InFlight> _toUs = [];
    private int _sentByUs;
    private int _sentByThem;
    private int _dropped;
    private int _late;
    private int _rounds;

    /// <summary>Runs until <paramref name="messagesEachWay"/> were sent each way; returns a summary line.</summary>
    public string Run(int messagesEachWay, bool theyStart = false)
    {
        // The first message of the initiator is delivered: without it the responder has no session.
        if (theyStart)
        {
            SendFromThem(1);
            DeliverToUs(reliable: true);
        }
        else
        {
            SendFromUs(1);
            DeliverToThem(reliable: true);
        }

        while (_sentByUs < messagesEachWay || _sentByThem < messagesEachWay)
        {
            _rounds++;
            if (_sentByUs < messagesEachWay && _random.NextDouble() < 0.7)
            {
                SendFromUs(Math.Min(_random.Next(1, 26), messagesEachWay - _sentByUs));
            }

            if (_sentByThem < messagesEachWay && _random.NextDouble() < 0.7)
            {
                SendFromThem(Math.Min(_random.Next(1, 26), messagesEachWay - _sentByThem));
            }

            DeliverToThem(reliable: false);
            DeliverToUs(reliable: false);
        }

        DeliverToThem(reliable: true);
        DeliverToUs(reliable: true);
        // Still in step afterwards.
        SendFromUs(1);
        DeliverToThem(reliable: true);
        SendFromThem(1);
        DeliverToUs(reliable: true);
        return $"{_rounds} rounds, sent {_sentByUs} by us and {_sentByThem} by libsignal, {_dropped} dropped, {_late} late";
    }

    private byte[] Plaintext()
    {
        var bytes = new byte[_random.Next(1, 300)];
        _random.NextBytes(bytes);
        return bytes;
    }

    private void SendFromUs(int count)
    {
        for (int i = 0; i < count; i++)
        {
            var plaintext = Plaintext();
            var (type, ciphertext) = SessionCipher.Encrypt(us.Record, us.Identity, plaintext);
            _toThem.Add(new InFlight(type, ciphertext, plaintext));
            _sentByUs++;
        }
    }

    private void SendFromThem(int count)
    {
        var plaintexts = Enumerable.Range(0, count).Select(_ => Plaintext()).ToList();
        var messages = oracle.Call(new() { ["op"] = "encrypt", ["id"] = them, ["peer"] = "us", ["plaintexts"] = LibsignalOracle.HexArray(plaintexts) })["messages"]!.AsArray();
        for (int i = 0; i < count; i++)
        {
            _toUs.Add(new InFlight((string)messages[i]!["type"]!, LibsignalInteropTests.Hex(messages[i]!["hex"]), plaintexts[i]));
            _sentByThem++;
        }
    }

    private void DeliverToThem(bool reliable)
    {
        var delivered = Deliveries(_toThem, reliable);
        if (delivered.Count == 0)
        {
            return;
        }

        var messages = new JsonArray([.. delivered.Select(m => (JsonNode)new JsonObject { ["type"] = m.Type, ["hex"] = Convert.ToHexStringLower(m.Ciphertext) })]);
        var results = oracle.Call(new() { ["op"] = "decrypt", ["id"] = them, ["peer"] = "us", ["messages"] = messages })["results"]!.AsArray();
        for (int i = 0; i < delivered.Count; i++)
        {
            Assert.True(results[i]!["plaintext"] is not null, $"libsignal could not decrypt our {delivered[i].Type} (round {_rounds}): {results[i]!["error"]}");
            Assert.Equal(Convert.ToHexStringLower(delivered[i].Plaintext), (string)results[i]!["plaintext"]!);
        }
    }

    private void DeliverToUs(bool reliable)
    {
        foreach (var message in Deliveries(_toUs, reliable))
        {
            var result = SessionCipher.Decrypt(us.Record, us.Identity, us, message.Type, message.Ciphertext);
            if (result.UsedPreKeyId is { } used)
            {
                us.RemovePreKey(used);
            }

            Assert.Equal(message.Plaintext, result.Plaintext);
        }
    }

    /// <summary>Takes the queue in shuffled order, dropping some and keeping some back for the next round.</summary>
    private List<InFlight> Deliveries(List<InFlight> queue, bool reliable)
    {
        var shuffled = queue.OrderBy(_ => _random.Next()).ToList();
        queue.Clear();
        var delivered = new List<InFlight>();
        foreach (var message in shuffled)
        {
            double roll = _random.NextDouble();
            if (!reliable && !message.Held && roll < LateRate)
            {
                queue.Add(message with { Held = true });
                _late++;
            }
            else if (!reliable && roll < LateRate + DropRate)
            {
                _dropped++;
            }
            else
            {
                delivered.Add(message);
            }
        }

        return delivered;
    }

    private sealed record InFlight(string Type, byte[] Ciphertext, byte[] Plaintext, bool Held = false);
}
