using System.Diagnostics;
using WaSms.Gateway.Updates;
using WaSms.Testing;

namespace WaSms.Gateway.Tests.Updates;

/// <summary>
/// The real adapter against real tools: bundles made by <c>scripts/build-bundle</c>, checked by
/// <c>image/update/wasms-bundle-check</c> with the image's <c>system.conf</c> (rauc, squashfs-tools and
/// cryptsetup-bin come from scripts/install-test-deps). <c>rauc install</c> needs slots, so its
/// output handling runs against a stand-in script that prints what RAUC 1.8 prints.
/// </summary>
public sealed class RaucProcessAdapterTests(RaucProcessAdapterTests.Bundles bundles) : IClassFixture<RaucProcessAdapterTests.Bundles>
{
    [Fact]
    public async Task Check_SignedBundle_IsValidWithItsVersion()
    {
        var check = await bundles.Adapter.CheckAsync(bundles.Good, CancellationToken.None);

        Assert.Equal(BundleCheck.Valid("2.0.0-test"), check);
    }

    [Fact]
    public async Task Check_BundleSignedByAnotherCa_IsRefusedWithRaucsReason()
    {
        var check = await bundles.Adapter.CheckAsync(bundles.OtherKey, CancellationToken.None);

        Assert.False(check.Ok);
        Assert.StartsWith("signature verification failed", check.Reason);
    }

    [Fact]
    public async Task Check_ChangedPayloadByte_IsRefused()
    {
        var tampered = bundles.Copy("tampered.raucb");
        using (var file = File.OpenWrite(tampered))
        {
            file.Position = 8192;
            file.WriteByte((byte)'X');
        }

        var check = await bundles.Adapter.CheckAsync(tampered, CancellationToken.None);

        Assert.False(check.Ok);
        Assert.StartsWith("payload does not match its signed hash", check.Reason);
    }

    [Fact]
    public async Task Check_TruncatedBundle_IsRefused()
    {
        var truncated = bundles.Copy("truncated.raucb");
        using (var file = File.OpenWrite(truncated))
        {
            file.SetLength(file.Length / 2);
        }

        var check = await bundles.Adapter.CheckAsync(truncated, CancellationToken.None);

        Assert.False(check.Ok);
        Assert.Contains("bundle", check.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Install_ReportsRaucsProgressLines_AndFailsWithItsError()
    {
        var rauc = bundles.Script("fake-rauc", """
            #!/bin/sh
            echo "installing"
            echo "  0% Installing"
            echo " 20% Checking bundle"
            echo " 40% Copying image to rootfs.1"
            echo "LastError: Installation error: Failed updating slot rootfs.1: No space left on device"
            echo "idle"
            exit 1
            """);
        var adapter = new RaucProcessAdapter(rauc: rauc);
        var seen = new List<InstallProgress>();

        var failure = await Assert.ThrowsAsync<UpdateFailedException>(() =>
            adapter.InstallAsync(bundles.Good, new ListProgress(seen), CancellationToken.None));

        Assert.Equal([new(0, "Installing"), new(20, "Checking bundle"), new(40, "Copying image to rootfs.1")], seen);
        Assert.Equal("Installation error: Failed updating slot rootfs.1: No space left on device", failure.Message);
    }

    [Fact]
    public async Task Install_MissingTool_FailsWithOneClearLine()
    {
        var adapter = new RaucProcessAdapter(rauc: "/nonexistent/rauc");

        var failure = await Assert.ThrowsAsync<UpdateFailedException>(() =>
            adapter.InstallAsync(bundles.Good, new ListProgress([]), CancellationToken.None));

        Assert.StartsWith("/nonexistent/rauc cannot be run", failure.Message);
    }

    [Theory]
    [InlineData(" 40% Copying image to rootfs.1", 40, "Copying image to rootfs.1")]
    [InlineData("100% Installing done.", 100, "Installing done.")]
    public void ParseProgress_ReadsRaucLines(string line, int percent, string step) =>
        Assert.Equal(new InstallProgress(percent, step), RaucProcessAdapter.ParseProgress(line));

    [Theory]
    [InlineData("installing")]
    [InlineData("LastError: 50% of nothing")]
    public void ParseProgress_IgnoresOtherLines(string line) => Assert.Null(RaucProcessAdapter.ParseProgress(line));

    private sealed class ListProgress(List<InstallProgress> seen) : IProgress<InstallProgress>
    {
        public void Report(InstallProgress value) => seen.Add(value);
    }

    /// <summary>Two bundles built once: one with fresh development keys, one signed by another CA.</summary>
    public sealed class Bundles : IDisposable
    {
        private readonly TempDirectory _dir = new();

        public Bundles()
        {
            var repo = RepositoryRoot();
            var rootfs = _dir.File("rootfs");
            Directory.CreateDirectory(Path.Combine(rootfs, "usr/lib/wasms-update/boot"));
            Directory.CreateDirectory(Path.Combine(rootfs, "etc/rauc"));
            File.Copy(Path.Combine(repo, "image/update/rauc-boot"), Path.Combine(rootfs, "usr/lib/wasms-update/rauc-boot"));
            File.Copy(Path.Combine(repo, "image/update/system.conf"), Path.Combine(rootfs, "etc/rauc/system.conf"));
            File.WriteAllText(Path.Combine(rootfs, "usr/lib/wasms-update/boot/cmdline.txt"), "console=tty0 root=PARTUUID=5761534d-02 rw\n");
            File.WriteAllBytes(Path.Combine(rootfs, "payload.bin"), RandomBytes(200_000));

            // A slot names its version and trusts the CA that signs its bundles (build-bundle refuses anything else):
            // the development keys of each output directory, made first.
            var output = _dir.File("out");
            SlotFor(repo, rootfs, output, "2.0.0-test");
            BuildBundle(repo, output, "--rootfs", rootfs, "--version", "2.0.0-test");
            Good = Path.Combine(output, "wasms-gateway-2.0.0-test.raucb");
            // Another CA: a second output directory makes its own development keys.
            SlotFor(repo, rootfs, _dir.File("other"), "2.0.0-other");
            BuildBundle(repo, _dir.File("other"), "--rootfs", rootfs, "--version", "2.0.0-other");
            OtherKey = Path.Combine(_dir.File("other"), "wasms-gateway-2.0.0-other.raucb");

            var conf = _dir.File("system.conf");
            File.WriteAllText(conf, File.ReadAllText(Path.Combine(repo, "image/update/system.conf"))
                .Replace("path=/etc/rauc/keyring.pem", $"path={Path.Combine(output, "keys/ca.cert.pem")}", StringComparison.Ordinal));
            Adapter = new RaucProcessAdapter(Path.Combine(repo, "image/update/wasms-bundle-check"),
                environment: new Dictionary<string, string> { ["RAUC_CONF"] = conf });
        }

        public string Good { get; }
        public string OtherKey { get; }
        public RaucProcessAdapter Adapter { get; }

        public string Copy(string name)
        {
            var path = _dir.File(name);
            File.Copy(Good, path, overwrite: true);
            return path;
        }

        public string Script(string name, string text)
        {
            var path = _dir.File(name);
            File.WriteAllText(path, text.ReplaceLineEndings("\n") + "\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return path;
        }

        public void Dispose() => _dir.Dispose();

        private static byte[] RandomBytes(int count)
        {
            var bytes = new byte[count];
            new Random(13).NextBytes(bytes);
            return bytes;
        }

        /// <summary>The slot's version file and keyring: <paramref name="output"/>'s development CA (made now, as build-bundle makes it).</summary>
        private static void SlotFor(string repo, string rootfs, string output, string version)
        {
            var start = new ProcessStartInfo("bash") { RedirectStandardError = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("source \"$1/scripts/lib/bundle.sh\" && bundle_dev_keys \"$2/keys\" >/dev/null");
            start.ArgumentList.Add("bash");
            start.ArgumentList.Add(repo);
            start.ArgumentList.Add(output);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"bundle_dev_keys {output}/keys: exit {process.ExitCode}\n{stderr}");
            File.Copy(Path.Combine(output, "keys/ca.cert.pem"), Path.Combine(rootfs, "etc/rauc/keyring.pem"), overwrite: true);
            File.WriteAllText(Path.Combine(rootfs, "usr/lib/wasms-update/version"), version + "\n");
        }

        private static void BuildBundle(string repo, string output, params string[] arguments)
        {
            var start = new ProcessStartInfo(Path.Combine(repo, "scripts/build-bundle"))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }
            start.Environment["WASMS_OUT"] = output;
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"scripts/build-bundle {string.Join(' ', arguments)}: exit {process.ExitCode}\n{stdout.Result}\n{stderr}");
        }

        private static string RepositoryRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "WaSms.Appliance.sln")))
                {
                    return dir.FullName;
                }
            }
            throw new InvalidOperationException($"no WaSms.Appliance.sln above {AppContext.BaseDirectory}");
        }
    }
}
