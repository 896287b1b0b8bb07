using System.Text.Json.Nodes;
using WaSms.WhatsApp.Signal;
using Xunit.Abstractions;

namespace WaSms.WhatsApp.Tests.Signal;

/// <summary>
/// Pairwise sessions against npm libsignal@6.0.0, the library Baileys uses: X3DH both ways with and
/// without a one-time prekey, then long conversations with seeded reordering, drops, late messages
/// and ratchet turns; XEdDSA signatures both ways (curve25519-js).
/// </summary>
public sealed class LibsignalInteropTests(LibsignalOracle oracle, ITestOutputHelper output) : IClassFixture<LibsignalOracle>
{
    [Fact]
    public void Oracle_IsThePinnedLibsignal()
    {
        if (LibsignalOracle.Skipped)
        {
            output.WriteLine("libsignal oracle not run: WASMS_SKIP_ORACLES=1.");
            return;
        }

        var versions = oracle.Call(new() { ["op"] = "versions" });
        Assert.Equal("6.0.0", (string?)versions["libsignal"]);
        Assert.Equal("7.0.0-rc14", (string?)versions["baileys"]);
    }

    [Theory]
    [InlineData(true, 11)]
    [InlineData(false, 12)]
    public void WeStartFromTheirBundle_ThousandMessagesEachWay(bool withOneTimePreKey, int seed)
    {
        if (LibsignalOracle.Skipped)
        {
            return;
        }

        var us = new SignalParty();
        string them = NewNodeParty($"node-{seed}");
        var bundle = BundleFrom(oracle.Call(new() { ["op"] = "bundle", ["id"] = them, ["oneTime"] = withOneTimePreKey }));
        SessionBuilder.InitFromBundle(us.Record, us.Identity, bundle);

        var stats = new OracleConversation(oracle, us, them, seed).Run(messagesEachWay: 1000);

        output.WriteLine(stats);
        Assert.Equal(bundle.RegistrationId, us.Record.RemoteRegistrationId);
    }

    [Theory]
    [InlineData(true, 21)]
    [InlineData(false, 22)]
    public void TheyStartFromOurBundle_ThousandMessagesEachWay(bool withOneTimePreKey, int seed)
    {
        if (LibsignalOracle.Skipped)
        {
            return;
        }

        var us = new SignalParty();
        string them = NewNodeParty($"node-{seed}");
        var bundle = us.Bundle(withOneTimePreKey);
        oracle.Call(new() { ["op"] = "init", ["id"] = them, ["peer"] = "us", ["bundle"] = BundleJson(bundle) });

        var stats = new OracleConversation(oracle, us, them, seed).Run(messagesEachWay: 1000, theyStart: true);

        output.WriteLine(stats);
        if (withOneTimePreKey)
        {
            Assert.Null(us.PreKey(bundle.PreKeyId!.Value));
        }
    }

    [Fact]
    public void BothStartAtOnce_ClosedSessionsStillDecryptBothWays()
    {
        if (LibsignalOracle.Skipped)
        {
            return;
        }

        var us = new SignalParty();
        string them = NewNodeParty("node-crossed");
        SessionBuilder.InitFromBundle(us.Record, us.Identity, BundleFrom(oracle.Call(new() { ["op"] = "bundle", ["id"] = them, ["oneTime"] = true })));
        oracle.Call(new() { ["op"] = "init", ["id"] = them, ["peer"] = "us", ["bundle"] = BundleJson(us.Bundle()) });

        // Both pkmsgs cross in flight; each side then holds its own session (now closed) and the peer's (open).
        var theirPkmsg = Encrypt(them, [[0x2a]])[0];
        var ourPkmsg = us.Encrypt("crossing");
        Assert.Equal("pkmsg", theirPkmsg.Type);
        Assert.Equal("crossing"u8.ToArray(), Decrypt(them, [ourPkmsg])[0]);
        Assert.Equal([0x2a], SessionCipher.Decrypt(us.Record, us.Identity, us, theirPkmsg.Type, theirPkmsg.Bytes).Plaintext);
        Assert.Equal(2, us.Record.Data.Sessions.Count);

        // libsignal sends on the session our pkmsg opened, which is closed here: we find it.
        var plaintexts = Enumerable.Range(0, 20).Select(i => new byte[] { (byte)i, 9 }).ToArray();
        foreach (var (message, i) in Encrypt(them, plaintexts).Select((m, i) => (m, i)))
        {
            Assert.Equal(plaintexts[i], SessionCipher.Decrypt(us.Record, us.Identity, us, message.Type, message.Bytes).Plaintext);
        }

        // We send on the session their pkmsg opened, which is closed there: libsignal finds it.
        Assert.Equal(plaintexts, Decrypt(them, [.. plaintexts.Select(p => SessionCipher.Encrypt(us.Record, us.Identity, p))]));
    }

    private List<(string Type, byte[] Bytes)> Encrypt(string id, byte[][] plaintexts) =>
        [.. oracle.Call(new() { ["op"] = "encrypt", ["id"] = id, ["peer"] = "us", ["plaintexts"] = LibsignalOracle.HexArray(plaintexts) })["messages"]!
            .AsArray().Select(m => ((string)m!["type"]!, Hex(m["hex"])))];

    private List<byte[]> Decrypt(string id, (string Type, byte[] Bytes)[] messages)
    {
        var request = new JsonArray([.. messages.Select(m => (JsonNode)new JsonObject { ["type"] = m.Type, ["hex"] = Convert.ToHexStringLower(m.Bytes) })]);
        return [.. oracle.Call(new() { ["op"] = "decrypt", ["id"] = id, ["peer"] = "us", ["messages"] = request })["results"]!
            .AsArray().Select(r => r!["plaintext"] is { } p ? Hex(p) : throw new Xunit.Sdk.XunitException($"libsignal: {r["error"]}"))];
    }

    [Fact]
    public void XEdDsa_TheirSignaturesVerifyHereAndOursThere()
    {
        if (LibsignalOracle.Skipped)
        {
            return;
        }

        var items = oracle.Call(new() { ["op"] = "sign", ["count"] = 64 })["items"]!.AsArray();
        int signBitSet = 0;
        foreach (var item in items)
        {
            var (key, message, signature) = (Hex(item!["publicKey"]), Hex(item["message"]), Hex(item["signature"]));
            Assert.True(WaSms.WhatsApp.Crypto.XEdDsa.Verify(key, message, signature));
            signature[7] ^= 1;
            Assert.False(WaSms.WhatsApp.Crypto.XEdDsa.Verify(key, message, signature));
            signBitSet += signature[63] >> 7;
        }

        // About half of curve25519-js signatures carry the sign bit in sig[63]; a strict verifier rejects those.
        Assert.InRange(signBitSet, 12, 52);

        var ours = Enumerable.Range(0, 64).Select(i =>
        {
            // Half the keys unclamped, as libsignal-node stores them: signing must clamp.
            var key = i % 2 == 0
                ? WaSms.WhatsApp.Crypto.Curve25519KeyPair.Generate()
                : WaSms.WhatsApp.Crypto.Curve25519KeyPair.FromPrivateKey([.. Enumerable.Range(0, 32).Select(b => (byte)(b * 37 + i + 7))]);
            byte[] message = [.. Enumerable.Range(0, 1 + i % 90).Select(b => (byte)(b * i))];
            var signature = WaSms.WhatsApp.Crypto.XEdDsa.Sign(key.PrivateKey.Span, message);
            if (i % 10 == 9)
            {
                signature[40] ^= 4;
            }

            return (JsonNode)new JsonObject
            {
                ["publicKey"] = Convert.ToHexStringLower(key.PublicKey.Span),
                ["message"] = Convert.ToHexStringLower(message),
                ["signature"] = Convert.ToHexStringLower(signature),
            };
        }).ToArray();
        var verified = oracle.Call(new() { ["op"] = "verify", ["items"] = new JsonArray(ours) })["results"]!.AsArray().Select(r => (bool)r!).ToArray();
        Assert.Equal(Enumerable.Range(0, 64).Select(i => i % 10 != 9), verified);
    }

    private string NewNodeParty(string id)
    {
        oracle.Call(new() { ["op"] = "party", ["id"] = id, ["reg"] = 1000 + id.Length });
        return id;
    }

    internal static PreKeyBundle BundleFrom(JsonObject b) => new(
        (uint)b["registrationId"]!, 0, Hex(b["identityKey"]), (uint)b["signedPreKeyId"]!, Hex(b["signedPreKey"]), Hex(b["signature"]),
        b["preKeyId"] is { } id ? (uint)id : null, b["preKey"] is { } key ? Hex(key) : ReadOnlyMemory<byte>.Empty);

    private static JsonObject BundleJson(PreKeyBundle b) => new()
    {
        ["registrationId"] = b.RegistrationId,
        ["identityKey"] = Convert.ToHexStringLower(b.IdentityKey.Span),
        ["signedPreKeyId"] = b.SignedPreKeyId,
        ["signedPreKey"] = Convert.ToHexStringLower(b.SignedPreKey.Span),
        ["signature"] = Convert.ToHexStringLower(b.SignedPreKeySignature.Span),
        ["preKeyId"] = b.PreKeyId,
        ["preKey"] = b.PreKeyId is null ? null : Convert.ToHexStringLower(b.PreKey.Span),
    };

    internal static byte[] Hex(JsonNode? node) => Convert.FromHexString((string)node!);
}
