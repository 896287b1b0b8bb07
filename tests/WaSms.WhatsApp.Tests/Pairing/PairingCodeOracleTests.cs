using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using WaSms.WhatsApp.Crypto;
using WaSms.Emulators.WhatsApp;
using WaSms.WhatsApp.Pairing;
using WaSms.WhatsApp.Tests.Binary;
using Xunit.Abstractions;

namespace WaSms.WhatsApp.Tests.Pairing;

/// <summary>
/// Cross-implementation: Baileys rc14's own helpers (derivePairingCodeKey, aesEncryptCTR, hkdf,
/// aesEncryptGCM, Curve.sharedKey, via pair-code-oracle.mjs) compute the companion's side from the
/// same inputs; our bytes must be identical, and our primary side must open Baileys' key bundle
/// (docs/whatsapp.md §9.2). Needs node and the installed oracle (Binary/baileys-oracle/install.sh);
/// WASMS_SKIP_ORACLES=1 skips it.
/// </summary>
public sealed class PairingCodeOracleTests(ITestOutputHelper output)
{
    /// <summary>A live Baileys rc14 client asks the emulator for a code, our phone enters it, Baileys pairs and logs in.</summary>
    [Fact]
    public async Task BaileysRc14_PairsByCodeWithTheEmulatorAndLogsIn()
    {
        if (Environment.GetEnvironmentVariable("WASMS_SKIP_ORACLES") == "1")
        {
            return;
        }

        var project = TestFiles.ProjectDirectory();
        Assert.True(
            File.Exists(Path.Combine(project, "Binary", "baileys-oracle", "node_modules", "baileys", "package.json")),
            "The Baileys oracle is not installed: run Binary/baileys-oracle/install.sh, or set WASMS_SKIP_ORACLES=1.");

        await using var emulator = new WaEmulator();
        emulator.Start();
        var phone = new PhoneSimulator(emulator, "15550007777");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        EmulatedDevice? device = null;
        var open = await Client.BaileysLivePeer.RunUntilOpenAsync(
            Path.Combine(project, "Pairing", "pair-code-peer.mjs"), [emulator.Uri.ToString(), emulator.TrustedRootKeyHex, phone.PhoneNumber],
            async line =>
            {
                if (line.StartsWith("CODE ", StringComparison.Ordinal) && device is null)
                {
                    Assert.Equal(8, line[5..].Length);

                    // Baileys does not wait for the companion_hello result; give the emulator a moment to hold it.
                    for (var i = 0; i < 50 && device is null; i++)
                    {
                        try
                        {
                            device = await phone.EnterPairingCodeAsync(line[5..], cts.Token);
                        }
                        catch (EmulatorException) when (i < 49)
                        {
                            await Task.Delay(100, cts.Token);
                        }
                    }
                }
            },
            output, cts.Token);

        Assert.NotNull(device);
        Assert.Equal($"OPEN {device.Jid} {device.Lid}", open);
        Assert.Equal(2, emulator.HandshakeCount);
    }

    [Fact]
    public async Task BaileysComputesTheSameWrappedKeyBundleAndAdvSecret()
    {
        if (Environment.GetEnvironmentVariable("WASMS_SKIP_ORACLES") == "1")
        {
            return;
        }

        var project = TestFiles.ProjectDirectory();
        Assert.True(
            File.Exists(Path.Combine(project, "Binary", "baileys-oracle", "node_modules", "baileys", "package.json")),
            "The Baileys oracle is not installed: run Binary/baileys-oracle/install.sh, or set WASMS_SKIP_ORACLES=1.");

        const string code = "7KQ2-MZ9D";
        var companionEphemeral = Curve25519KeyPair.Generate();
        var identity = Curve25519KeyPair.Generate();
        var primaryIdentity = Curve25519KeyPair.Generate();
        var primaryEphemeral = Curve25519KeyPair.Generate();
        var salt = RandomNumberGenerator.GetBytes(32);
        var iv = RandomNumberGenerator.GetBytes(16);
        var bundleSalt = RandomNumberGenerator.GetBytes(32);
        var nonce = RandomNumberGenerator.GetBytes(12);
        var advRandom = RandomNumberGenerator.GetBytes(32);
        var primaryWrapped = PairingCodeCrypto.WrapEphemeralKey(code, primaryEphemeral.PublicKey.Span);

        var request = new Dictionary<string, string>
        {
            ["code"] = PairingCode.Normalize(code),
            ["salt"] = Hex(salt),
            ["iv"] = Hex(iv),
            ["companionEphemeralPub"] = Hex(companionEphemeral.PublicKey.Span),
            ["companionEphemeralPriv"] = Hex(companionEphemeral.PrivateKey.Span),
            ["primaryWrapped"] = Hex(primaryWrapped),
            ["bundleSalt"] = Hex(bundleSalt),
            ["nonce"] = Hex(nonce),
            ["identityPub"] = Hex(identity.PublicKey.Span),
            ["identityPriv"] = Hex(identity.PrivateKey.Span),
            ["primaryIdentityPub"] = Hex(primaryIdentity.PublicKey.Span),
            ["advRandom"] = Hex(advRandom),
        };
        var baileys = await RunOracleAsync(project, request);

        // Companion hello.
        Assert.Equal(Hex(PairingCodeCrypto.WrapEphemeralKey(code, companionEphemeral.PublicKey.Span, salt, iv)), baileys["wrapped"]);

        // Baileys unwrapped our primary hello.
        Assert.Equal(Hex(primaryEphemeral.PublicKey.Span), baileys["primaryEphemeral"]);

        // companion_finish: the same bundle and ADV secret from the same randomness.
        var shared = PairingCodeCrypto.Agree(companionEphemeral.PrivateKey.Span, PairingCodeCrypto.UnwrapEphemeralKey(code, primaryWrapped));
        var bundle = PairingCodeCrypto.SealKeyBundle(shared, identity.PublicKey.Span, primaryIdentity.PublicKey.Span, advRandom, bundleSalt, nonce);
        Assert.Equal(Hex(bundle), baileys["bundle"]);
        var adv = PairingCodeCrypto.DeriveAdvSecret(shared, PairingCodeCrypto.Agree(identity.PrivateKey.Span, primaryIdentity.PublicKey.Span), advRandom);
        Assert.Equal(Hex(adv), baileys["adv"]);

        // Our primary side opens Baileys' bundle and derives Baileys' ADV secret.
        var primaryShared = PairingCodeCrypto.Agree(primaryEphemeral.PrivateKey.Span, PairingCodeCrypto.UnwrapEphemeralKey(code, Convert.FromHexString(baileys["wrapped"])));
        var opened = PairingCodeCrypto.OpenKeyBundle(primaryShared, Convert.FromHexString(baileys["bundle"]));
        var primaryAdv = PairingCodeCrypto.DeriveAdvSecret(primaryShared, PairingCodeCrypto.Agree(primaryIdentity.PrivateKey.Span, opened.CompanionIdentity), opened.AdvRandom);
        Assert.Equal(baileys["adv"], Hex(primaryAdv));
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    private static async Task<Dictionary<string, string>> RunOracleAsync(string project, Dictionary<string, string> fields)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in fields)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
        }

        var request = Encoding.UTF8.GetString(buffer.ToArray());
        var start = new ProcessStartInfo("node", [Path.Combine(project, "Pairing", "pair-code-oracle.mjs")])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.StandardInput.WriteAsync(request.AsMemory(), timeout.Token);
        process.StandardInput.Close();
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"node pair-code-oracle.mjs exited with {process.ExitCode}: {await stderr}");
        using var answer = JsonDocument.Parse(await stdout);
        return answer.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty, StringComparer.Ordinal);
    }
}
