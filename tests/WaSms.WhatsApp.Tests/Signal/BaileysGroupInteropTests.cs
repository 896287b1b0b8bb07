using System.Text.Json.Nodes;
using WaSms.WhatsApp.Signal;
using Xunit.Abstractions;

namespace WaSms.WhatsApp.Tests.Signal;

/// <summary>
/// Sender keys against Baileys 7.0.0-rc14's own GroupCipher/GroupSessionBuilder (lib/Signal/Group):
/// each side processes the other's SKDM, then 200 group messages go each way in shuffled
/// batches with drops (curve25519-js signs and verifies in pure JS, about 12 ms each, so 200 a way). Baileys encrypts iterations 0, 2, 4, …; we must accept that.
/// </summary>
public sealed class BaileysGroupInteropTests(LibsignalOracle oracle, ITestOutputHelper output) : IClassFixture<LibsignalOracle>
{
    private const string Group = "120363000000000001@g.us";

    [Fact]
    public void BaileysSends_WeProcessItsSkdmAndDecryptIts024Iterations()
    {
        if (LibsignalOracle.Skipped)
        {
            output.WriteLine("libsignal oracle not run: WASMS_SKIP_ORACLES=1.");
            return;
        }

        var random = new Random(31);
        oracle.Call(new() { ["op"] = "party", ["id"] = "bl-sender", ["reg"] = 1 });
        var theirs = new SenderKeyRecord();
        var skdm = LibsignalInteropTests.Hex(oracle.Call(Request("groupCreate", "bl-sender", "bl-sender"))["skdm"]);
        GroupSessionBuilder.Process(theirs, skdm);

        var iterations = new List<uint>();
        int delivered = 0;
        for (int batch = 0; batch < 10; batch++)
        {
            var plaintexts = Plaintexts(random, 20);
            var request = Request("groupEncrypt", "bl-sender", "bl-sender");
            request["plaintexts"] = LibsignalOracle.HexArray(plaintexts);
            var messages = oracle.Call(request)["messages"]!.AsArray().Select(LibsignalInteropTests.Hex).ToList();
            iterations.AddRange(messages.Select(m => SenderKeyMessage.Parse(m).Iteration));
            foreach (int i in Enumerable.Range(0, messages.Count).OrderBy(_ => random.Next()).Where(_ => random.NextDouble() > 0.1))
            {
                Assert.Equal(plaintexts[i], GroupCipher.Decrypt(theirs, messages[i]));
                delivered++;
            }

            // The record lives in the store between batches.
            theirs = SenderKeyRecord.Deserialize(theirs.Serialize());
        }

        Assert.Equal(Enumerable.Range(0, 200).Select(i => (uint)(2 * i)), iterations);
        output.WriteLine($"{delivered} of 200 Baileys group messages delivered and decrypted");
    }

    [Fact]
    public void WeSend_BaileysProcessesOurSkdmsAndDecrypts()
    {
        if (LibsignalOracle.Skipped)
        {
            return;
        }

        var random = new Random(32);
        oracle.Call(new() { ["op"] = "party", ["id"] = "bl-early", ["reg"] = 2 });
        oracle.Call(new() { ["op"] = "party", ["id"] = "bl-late", ["reg"] = 3 });
        var own = new SenderKeyRecord();
        Process("bl-early", GroupSessionBuilder.CreateDistribution(own));

        int delivered = 0;
        for (int batch = 0; batch < 10; batch++)
        {
            if (batch == 4)
            {
                // A member who joins later gets our key at its current iteration.
                Process("bl-late", GroupSessionBuilder.CreateDistribution(own));
            }

            var plaintexts = Plaintexts(random, 20);
            var messages = plaintexts.Select(p => GroupCipher.Encrypt(own, p)).ToList();
            var order = Enumerable.Range(0, messages.Count).OrderBy(_ => random.Next()).Where(_ => random.NextDouble() > 0.1).ToList();
            foreach (var member in batch >= 4 ? new[] { "bl-early", "bl-late" } : ["bl-early"])
            {
                var request = Request("groupDecrypt", member, "us");
                request["messages"] = LibsignalOracle.HexArray(order.Select(i => messages[i]));
                var results = oracle.Call(request)["results"]!.AsArray();
                for (int k = 0; k < order.Count; k++)
                {
                    Assert.True(results[k]!["plaintext"] is not null, $"Baileys could not decrypt our skmsg: {results[k]!["error"]}");
                    Assert.Equal(Convert.ToHexStringLower(plaintexts[order[k]]), (string)results[k]!["plaintext"]!);
                }

                delivered += order.Count;
            }

            own = SenderKeyRecord.Deserialize(own.Serialize());
        }

        output.WriteLine($"{delivered} deliveries of our 200 group messages decrypted by Baileys");
    }

    private void Process(string member, byte[] skdm)
    {
        var request = Request("groupProcess", member, "us");
        request["skdm"] = Convert.ToHexStringLower(skdm);
        oracle.Call(request);
    }

    private static JsonObject Request(string op, string id, string sender) => new() { ["op"] = op, ["id"] = id, ["group"] = Group, ["sender"] = sender };

    private static List<byte[]> Plaintexts(Random random, int count) => [.. Enumerable.Range(0, count).Select(_ =>
    {
        var bytes = new byte[random.Next(1, 200)];
        random.NextBytes(bytes);
        return bytes;
    })];
}
