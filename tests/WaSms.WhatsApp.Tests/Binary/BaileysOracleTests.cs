using System.Diagnostics;
using System.Text;
using System.Text.Json;
using WaSms.WhatsApp.Binary;
using Xunit.Abstractions;

namespace WaSms.WhatsApp.Tests.Binary;

/// <summary>
/// Conformance against Baileys 7.0.0-rc14 both ways: Baileys' encodeBinaryNode must produce our
/// bytes, Baileys' decodeBinaryNode must read our bytes as the same tree, and our decoder must read
/// Baileys' bytes. Needs node and the npm project in baileys-oracle/ (run its install.sh); fails
/// when they are missing unless WASMS_SKIP_ORACLES=1.
/// </summary>
public sealed class BaileysOracleTests(ITestOutputHelper output)
{
    private const string BaileysVersion = "7.0.0-rc14";

    [Fact]
    public async Task Corpus_BaileysEncodesAndDecodesLikeUs()
    {
        if (Environment.GetEnvironmentVariable("WASMS_SKIP_ORACLES") == "1")
        {
            output.WriteLine("Baileys oracle not run: WASMS_SKIP_ORACLES=1.");
            return;
        }

        string directory = Path.Combine(TestFiles.ProjectDirectory(), "Binary", "baileys-oracle");
        string node = FindOnPath("node")
            ?? throw new Xunit.Sdk.XunitException(
                "The Baileys oracle needs Node.js >= 20 on PATH. Install it and run " +
                $"{Path.Combine(directory, "install.sh")}, or set WASMS_SKIP_ORACLES=1 to skip the oracle tests.");
        string installed = Path.Combine(directory, "node_modules", "baileys", "package.json");
        if (!File.Exists(installed) || !File.ReadAllText(installed).Contains($"\"version\": \"{BaileysVersion}\"", StringComparison.Ordinal))
        {
            Assert.Fail($"The Baileys oracle (baileys@{BaileysVersion}) is not installed in {directory}. " +
                $"Run {Path.Combine(directory, "install.sh")} (npm ci from the committed lock file), " +
                "or set WASMS_SKIP_ORACLES=1 to skip the oracle tests.");
        }

        IReadOnlyList<OracleCase> cases = OracleCorpus.Build();
        var ourFrames = cases.Select(c => c.Ours is null ? null : OurFrame(c)).ToList();
        string request = BuildRequest(cases, ourFrames);

        var clock = Stopwatch.StartNew();
        string response = await RunNodeAsync(node, directory, request);
        output.WriteLine($"{cases.Count} cases, request {request.Length / 1024} KiB, node ran {clock.ElapsedMilliseconds} ms");

        using JsonDocument document = JsonDocument.Parse(response, new JsonDocumentOptions { MaxDepth = 512 });
        Assert.Equal(BaileysVersion, document.RootElement.GetProperty("baileys").GetString());
        JsonElement[] results = [.. document.RootElement.GetProperty("results").EnumerateArray()];
        Assert.Equal(cases.Count, results.Length);

        var failures = new List<string>();
        int byteEqual = 0, decodedByBaileys = 0, decodedByUs = 0;
        for (int i = 0; i < cases.Count; i++)
        {
            OracleCase c = cases[i];
            JsonElement result = results[i];
            void Fail(string message) => failures.Add($"[{c.Name}] {message}");

            if (result.TryGetProperty("error", out JsonElement error))
            {
                Fail($"Baileys threw: {error.GetString()}");
                continue;
            }

            if (c.Ours is { } ours)
            {
                // Baileys reads our bytes as the same tree.
                CompareBaileysView(result.GetProperty("oursDecoded"), ours, "$", Fail);
                decodedByBaileys++;
            }

            if (!c.BaileysEncodes)
            {
                continue;
            }

            byte[] baileysFrame = Convert.FromHexString(result.GetProperty("blHex").GetString()!);
            if (c.Ours is not null)
            {
                // Baileys writes exactly our bytes.
                if (!baileysFrame.AsSpan().SequenceEqual(ourFrames[i]))
                {
                    Fail($"bytes differ:\n  baileys {Shorten(Convert.ToHexStringLower(baileysFrame))}\n  ours    {Shorten(Convert.ToHexStringLower(ourFrames[i]!))}");
                }
                else
                {
                    byteEqual++;
                }
            }

            // We read Baileys' bytes as the node it was given.
            Node expected = c.Expected ?? c.Ours!;
            try
            {
                Node decoded = NodeDecoder.DecodeFrame(baileysFrame);
                if (!decoded.Equals(expected))
                {
                    Fail($"our decoding of Baileys' bytes differs:\n  got      {Shorten(decoded.ToString())}\n  expected {Shorten(expected.ToString())}");
                }
                else
                {
                    decodedByUs++;
                }
            }
            catch (WaProtocolException e)
            {
                Fail($"our decoder rejected Baileys' bytes: {e.Message}");
            }
        }

        output.WriteLine($"byte-identical encodings: {byteEqual}; Baileys decoded ours: {decodedByBaileys}; we decoded Baileys': {decodedByUs}");
        Assert.True(failures.Count == 0, $"{failures.Count} conformance failures:\n" + string.Join("\n", failures.Take(20)));
        Assert.Equal(cases.Count(c => c.Ours is not null && c.BaileysEncodes), byteEqual);
        Assert.Equal(cases.Count(c => c.Ours is not null), decodedByBaileys);
        Assert.Equal(cases.Count(c => c.BaileysEncodes), decodedByUs);
        Assert.True(byteEqual > 250, $"only {byteEqual} cases compared bytes");
    }

    private static byte[] OurFrame(OracleCase c) =>
        c.Compress ? NodeCodecTests.Compress(NodeEncoder.Encode(c.Ours!), flags: 0x02) : NodeEncoder.EncodeFrame(c.Ours!);

    private static string BuildRequest(IReadOnlyList<OracleCase> cases, List<byte[]?> ourFrames)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("cases");
            for (int i = 0; i < cases.Count; i++)
            {
                OracleCase c = cases[i];
                writer.WriteStartObject();
                writer.WriteString("name", c.Name);
                if (c.BaileysEncodes)
                {
                    // Our JSON shape is the oracle's input shape: Baileys gets JIDs as the strings it parses itself.
                    writer.WritePropertyName("node");
                    writer.WriteRawValue(c.BaileysNodeJson ?? NodeJson.ToJson(c.Ours!), skipInputValidation: false);
                }

                if (ourFrames[i] is { } frame)
                {
                    writer.WriteString("ourHex", Convert.ToHexStringLower(frame));
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void CompareBaileysView(JsonElement baileys, Node expected, string path, Action<string> fail)
    {
        if (baileys.GetProperty("tag").GetString() != expected.Tag)
        {
            fail($"{path}: Baileys read tag '{baileys.GetProperty("tag").GetString()}', expected '{expected.Tag}'");
            return;
        }

        var attributes = baileys.GetProperty("attrs").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString(), StringComparer.Ordinal);
        if (attributes.Count != expected.Attributes.Count)
        {
            fail($"{path}: Baileys read {attributes.Count} attributes, expected {expected.Attributes.Count}");
        }

        foreach (NodeAttribute attribute in expected.Attributes)
        {
            string want = OracleCorpus.BaileysText(attribute.Value);
            if (!attributes.TryGetValue(attribute.Key, out string? got) || got != want)
            {
                fail($"{path}.attrs.{attribute.Key}: Baileys read '{Shorten(got ?? "(missing)")}', expected '{Shorten(want)}'");
            }
        }

        bool hasContent = baileys.TryGetProperty("content", out JsonElement content);
        switch (expected.Content.Kind)
        {
            case NodeContentKind.None:
                if (hasContent)
                {
                    fail($"{path}: Baileys read content where there is none");
                }

                break;
            case NodeContentKind.Nodes:
                if (!hasContent || content.ValueKind != JsonValueKind.Array || content.GetArrayLength() != expected.Children.Count)
                {
                    fail($"{path}: Baileys did not read {expected.Children.Count} children");
                    break;
                }

                int i = 0;
                foreach (JsonElement child in content.EnumerateArray())
                {
                    CompareBaileysView(child, expected.Children[i], $"{path}.content[{i}]", fail);
                    i++;
                }

                break;
            default:
                string want = Convert.ToBase64String(expected.Content.Bytes.Span);
                if (!hasContent || !content.TryGetProperty("base64", out JsonElement base64) || base64.GetString() != want)
                {
                    fail($"{path}: Baileys did not read the {expected.Content.Bytes.Length} content bytes");
                }

                break;
        }
    }

    private static async Task<string> RunNodeAsync(string node, string directory, string request)
    {
        var start = new ProcessStartInfo(node, ["oracle.mjs"])
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {node}");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        Task<string> stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.StandardInput.WriteAsync(request.AsMemory(), timeout.Token);
        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException("The Baileys oracle (node oracle.mjs) did not finish within 2 minutes.");
        }

        string text = await stdout;
        if (process.ExitCode != 0)
        {
            throw new Xunit.Sdk.XunitException($"node oracle.mjs exited with {process.ExitCode}:\n{await stderr}");
        }

        return text;
    }

    private static string? FindOnPath(string name)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            string candidate = Path.Combine(directory, name);
            if (directory.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : $"{text[..300]}… ({text.Length} chars)";
}
