using System.Collections;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using WaSms.Gateway.Cli;
using WaSms.Gateway.Provisioning;

namespace WaSms.Gateway.Tests.Provisioning;

/// <summary>
/// <c>wasms-gateway provision --root DIR</c> against a real directory tree laid out like the image
/// (etc/passwd with the service user, zoneinfo, the boot partition's file).
/// </summary>
public sealed class ProvisionCommandTests : IDisposable
{
    private const string Passphrase = "password";
    // IEEE 802.11i-2004 H.4.3 test vector: passphrase "password", SSID "IEEE".
    private const string IeeePsk = "f42c6fc52df0ebef9ebb4b90b38a5f902e83fe1b135a70e23aed762e9710a12e";
    private const string SshKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHx2vJ1pYkT2l4p1tCZ4bO1VQp8r9z8N4m6d3z1Q2w3e admin@laptop";

    private readonly TempDirectory _root = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));

    public ProvisionCommandTests()
    {
        // Both accounts map to whoever runs the tests (root in CI), so chown works without privileges.
        var (uid, gid) = CurrentIds();
        Write("etc/passwd", $"root:x:{uid}:{gid}:root:/root:/bin/sh\nwasms:x:{uid}:{gid}::/nonexistent:/usr/sbin/nologin\n");
        Write("etc/group", $"root:x:{gid}:\nwasms:x:{gid}:\n");
        Write("usr/share/zoneinfo/Europe/Berlin", "TZif2");
        Write("etc/hosts", "127.0.0.1\tlocalhost\n127.0.1.1\twasms-gateway\n");
        Write("etc/wasms-gateway/gateway.json", """{ "Board": { "Kind": "Pi" } }""");
    }

    public void Dispose() => _root.Dispose();

    private static string GoodFile(string passphrase = Passphrase) => $"""
        # WaSMS Gateway provisioning
        enrollment_code = ABCD-1234
        wifi_ssid = IEEE
        wifi_passphrase = {passphrase}
        wifi_country = de
        hostname = shop-gateway
        timezone = Europe/Berlin
        mqtt_host = broker.local
        mqtt_port = 8883
        mqtt_tls = yes
        mqtt_username = gw
        mqtt_password = "s3cret pass"
        ssh_public_key = {SshKey}
        """;

    [Fact]
    public async Task GoodFile_AppliesEverySetting_StoresSecretsPrivately_AndScrubsThemFromTheBootPartition()
    {
        Write("boot/firmware/wasms-gateway.txt", GoodFile());

        var (code, output, error) = await ProvisionAsync();

        Assert.True(code == 0, error);
        Assert.Contains("applied enrollment_code, wifi_ssid", output, StringComparison.Ordinal);

        Assert.Equal("ABCD-1234\n", Read("var/lib/wasms-gateway/enrollment-code"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path("var/lib/wasms-gateway/enrollment-code")));

        var wpa = Read("etc/wpa_supplicant/wpa_supplicant.conf");
        Assert.Contains("country=DE\n", wpa, StringComparison.Ordinal);
        Assert.Contains("\tssid=49454545\n", wpa, StringComparison.Ordinal); // "IEEE" in hex
        Assert.Contains($"\tpsk={IeeePsk}\n", wpa, StringComparison.Ordinal);
        Assert.DoesNotContain(Passphrase, wpa.Replace(IeeePsk, "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path("etc/wpa_supplicant/wpa_supplicant.conf")));
        Assert.Contains("ieee80211_regdom=DE", Read("etc/modprobe.d/wasms-wifi-country.conf"), StringComparison.Ordinal);

        Assert.Equal("shop-gateway\n", Read("etc/hostname"));
        Assert.Equal("127.0.0.1\tlocalhost\n127.0.1.1\tshop-gateway\n", Read("etc/hosts"));
        Assert.Equal("Europe/Berlin\n", Read("etc/timezone"));
        Assert.Equal("/usr/share/zoneinfo/Europe/Berlin", new FileInfo(Path("etc/localtime")).LinkTarget);

        using (var config = JsonDocument.Parse(Read("etc/wasms-gateway/gateway.json")))
        {
            Assert.Equal("Pi", config.RootElement.GetProperty("Board").GetProperty("Kind").GetString());
            var mqtt = config.RootElement.GetProperty("Mqtt");
            Assert.Equal("broker.local", mqtt.GetProperty("Host").GetString());
            Assert.Equal(8883, mqtt.GetProperty("Port").GetInt32());
            Assert.True(mqtt.GetProperty("Tls").GetBoolean());
            Assert.Equal("gw", mqtt.GetProperty("Username").GetString());
            Assert.Equal("s3cret pass", mqtt.GetProperty("Password").GetString());
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(Path("etc/wasms-gateway/gateway.json")));

        Assert.Equal(SshKey + "\n", Read("root/.ssh/authorized_keys"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path("root/.ssh")));

        var scrubbed = Read("boot/firmware/wasms-gateway.txt");
        Assert.DoesNotContain("= " + Passphrase, scrubbed, StringComparison.Ordinal);
        Assert.DoesNotContain("ABCD-1234", scrubbed, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", scrubbed, StringComparison.Ordinal);
        Assert.Contains("# wifi_passphrase was applied on 2026-11-25 10:00 UTC and removed from this file", scrubbed, StringComparison.Ordinal);
        Assert.Contains("\nwifi_passphrase =\n", scrubbed, StringComparison.Ordinal);
        Assert.Contains("wifi_ssid = IEEE", scrubbed, StringComparison.Ordinal);

        var report = Read("var/lib/wasms-gateway/provisioning.json");
        Assert.DoesNotContain($"\"{Passphrase}\"", report, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", report, StringComparison.Ordinal);
        Assert.DoesNotContain("ABCD-1234", report, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(report);
        Assert.True(json.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal("/boot/firmware/wasms-gateway.txt", json.RootElement.GetProperty("file").GetString());
        Assert.Equal("2026-11-25T10:00:00Z", json.RootElement.GetProperty("at").GetString());
        Assert.Equal(ProvisioningKeys.All.ToArray(), json.RootElement.GetProperty("applied").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal(["enrollment_code", "wifi_passphrase", "mqtt_password"], json.RootElement.GetProperty("scrubbed").EnumerateArray().Select(e => e.GetString()!).ToArray());
    }

    [Fact]
    public async Task NextBoot_TheScrubbedFileKeepsTheStoredSecrets_AndRewritesNothing()
    {
        Write("boot/firmware/wasms-gateway.txt", GoodFile());
        Assert.Equal(0, (await ProvisionAsync()).Code);
        var wpa = Read("etc/wpa_supplicant/wpa_supplicant.conf");
        var config = Read("etc/wasms-gateway/gateway.json");
        var scrubbed = Read("boot/firmware/wasms-gateway.txt");
        var wpaWritten = File.GetLastWriteTimeUtc(Path("etc/wpa_supplicant/wpa_supplicant.conf"));

        _time.Advance(TimeSpan.FromDays(1));
        var (code, _, error) = await ProvisionAsync();

        Assert.True(code == 0, error);
        Assert.Equal(wpa, Read("etc/wpa_supplicant/wpa_supplicant.conf"));
        Assert.Equal(wpaWritten, File.GetLastWriteTimeUtc(Path("etc/wpa_supplicant/wpa_supplicant.conf")));
        Assert.Equal(config, Read("etc/wasms-gateway/gateway.json"));
        Assert.Equal("ABCD-1234\n", Read("var/lib/wasms-gateway/enrollment-code"));
        Assert.Equal(scrubbed, Read("boot/firmware/wasms-gateway.txt"));
    }

    [Fact]
    public async Task ANewPassphraseLater_ReplacesTheStoredKey_AndTheScrubNoteIsNotStacked()
    {
        Write("boot/firmware/wasms-gateway.txt", GoodFile());
        Assert.Equal(0, (await ProvisionAsync()).Code);
        var file = Read("boot/firmware/wasms-gateway.txt").Replace("wifi_passphrase =", "wifi_passphrase = another-passphrase", StringComparison.Ordinal);
        Write("boot/firmware/wasms-gateway.txt", file);

        Assert.Equal(0, (await ProvisionAsync()).Code);

        Assert.Contains($"\tpsk={ProvisioningApplier.PskOf("another-passphrase", "IEEE")}\n", Read("etc/wpa_supplicant/wpa_supplicant.conf"), StringComparison.Ordinal);
        var scrubbed = Read("boot/firmware/wasms-gateway.txt");
        Assert.DoesNotContain("another-passphrase", scrubbed, StringComparison.Ordinal);
        Assert.Single(scrubbed.Split('\n'), l => l.StartsWith("# wifi_passphrase was applied", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BadValue_AppliesNothing_KeepsTheLastGoodSettings_AndReportsKeyAndLine()
    {
        var bad = GoodFile().Replace("mqtt_port = 8883", "mqtt_port = 99999", StringComparison.Ordinal);
        Write("boot/firmware/wasms-gateway.txt", bad);
        var configBefore = Read("etc/wasms-gateway/gateway.json");

        var (code, _, error) = await ProvisionAsync();

        Assert.Equal(78, code);
        Assert.Contains("line 9: mqtt_port:", error, StringComparison.Ordinal);
        Assert.Contains("nothing applied", error, StringComparison.Ordinal);
        Assert.Equal(configBefore, Read("etc/wasms-gateway/gateway.json"));
        Assert.Equal("127.0.0.1\tlocalhost\n127.0.1.1\twasms-gateway\n", Read("etc/hosts"));
        Assert.False(File.Exists(Path("etc/hostname")));
        Assert.False(File.Exists(Path("etc/wpa_supplicant/wpa_supplicant.conf")));
        Assert.False(File.Exists(Path("var/lib/wasms-gateway/enrollment-code")));
        Assert.Equal(bad, Read("boot/firmware/wasms-gateway.txt")); // not scrubbed: nothing was stored

        using var json = JsonDocument.Parse(Read("var/lib/wasms-gateway/provisioning.json"));
        Assert.False(json.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal("mqtt_port", json.RootElement.GetProperty("key").GetString());
        Assert.Equal(9, json.RootElement.GetProperty("line").GetInt32());
        Assert.Equal("mqtt_port must be a TCP port 1-65535", json.RootElement.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("wifi_pasphrase = password1", "", "not a known setting (did you mean wifi_passphrase?)")]
    [InlineData("hostname = -bad-", "hostname", "hostname must be")]
    [InlineData("timezone = Mars/Olympus", "timezone", "not a time zone known")]
    [InlineData("timezone = ../../etc/passwd", "timezone", "must be a time zone name")]
    [InlineData("wifi_country = Germany", "wifi_country", "two-letter")]
    [InlineData("ssh_public_key = hello", "ssh_public_key", "OpenSSH public key")]
    [InlineData("hostname = a\nhostname = b", "hostname", "set twice")]
    [InlineData("just some words", "", "not \"key = value\"")]
    [InlineData("wifi_passphrase = password1", "wifi_passphrase", "needs wifi_ssid")]
    public async Task EachKindOfMistake_IsReportedByKeyAndLine(string lines, string key, string message)
    {
        Write("boot/firmware/wasms-gateway.txt", "# comment\n\n" + lines + "\n");

        var (code, _, _) = await ProvisionAsync();

        Assert.Equal(78, code);
        using var json = JsonDocument.Parse(Read("var/lib/wasms-gateway/provisioning.json"));
        Assert.Equal(key, json.RootElement.GetProperty("key").GetString());
        Assert.Equal(lines.Contains('\n', StringComparison.Ordinal) ? 4 : 3, json.RootElement.GetProperty("line").GetInt32());
        Assert.Contains(message, json.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("WRAPPED_SECRET_77xq")]             // the rest of a passphrase an editor wrapped onto its own line
    [InlineData("WRAPPED=SECRET_77xq")]             // … holding an "=": an unknown "key"
    [InlineData("wifi_passphrase_77xq = SECRET")]   // a key-like word that is no key: not echoed either
    public async Task ABadLine_IsReportedByNumberOnly_NeverItsText(string line)
    {
        Write("boot/firmware/wasms-gateway.txt", $"wifi_ssid = IEEE\nwifi_passphrase = {Passphrase}-and-more\n{line}\n");

        var (code, output, error) = await ProvisionAsync();

        Assert.Equal(78, code);
        Assert.Contains("line 3", error, StringComparison.Ordinal);
        var report = Read("var/lib/wasms-gateway/provisioning.json");
        var problem = SetupProblem.Read(Path("var/lib/wasms-gateway"))!.ToString(); // what status and the log show
        Assert.StartsWith("line 3, ", problem, StringComparison.Ordinal);
        foreach (var shown in new[] { output, error, report, problem })
        {
            Assert.DoesNotContain("77xq", shown, StringComparison.Ordinal);
            Assert.DoesNotContain("SECRET", shown, StringComparison.Ordinal);
            Assert.DoesNotContain(Passphrase + "-and-more", shown, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task BinaryJunk_IsNotEchoed()
    {
        var junk = new byte[4096];
        new Random(9).NextBytes(junk);
        junk = [.. junk.Where(b => b is not (byte)'\n' and not (byte)'\r' and not (byte)'#')];
        Directory.CreateDirectory(Path("boot/firmware"));
        await File.WriteAllBytesAsync(Path("boot/firmware/wasms-gateway.txt"), [.. "hostname = shop\n"u8, .. junk, (byte)'\n']);

        var (code, _, error) = await ProvisionAsync();

        Assert.Equal(78, code);
        var report = Read("var/lib/wasms-gateway/provisioning.json");
        Assert.True(report.Length < 600, report);
        Assert.True(error.Length < 600, error);
        Assert.Contains("line 2", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path("etc/hostname")));
    }

    [Fact]
    public async Task AFileOverTheSizeLimit_IsRefusedWithItsSizeAndTheLimit()
    {
        // 20 MB ended in "Out of memory" on the 64 MB heap before the cap.
        var big = new string('#', 20 * 1024 * 1024 - 1) + "\n";
        Write("boot/firmware/wasms-gateway.txt", "hostname = big\n" + big);

        var (code, _, error) = await ProvisionAsync();

        Assert.Equal(78, code);
        Assert.Contains($"{20 * 1024 * 1024 + 15} bytes", error, StringComparison.Ordinal);
        Assert.Contains($"at most {ProvisionCommand.MaxFileBytes} bytes", error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(Path("etc/hostname")));
        using var json = JsonDocument.Parse(Read("var/lib/wasms-gateway/provisioning.json"));
        Assert.False(json.RootElement.GetProperty("ok").GetBoolean());
        Assert.Contains("64 KiB", json.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);

        Write("boot/firmware/wasms-gateway.txt", "hostname = small\n" + new string('#', ProvisionCommand.MaxFileBytes - 18) + "\n");
        Assert.Equal(0, (await ProvisionAsync()).Code); // exactly at the limit is fine
        Assert.Equal("small\n", Read("etc/hostname"));
    }

    [Fact]
    public async Task AFile_IsAppliedOnce_UntilItChanges()
    {
        Write("boot/firmware/wasms-gateway.txt", GoodFile());
        Assert.Equal(0, (await ProvisionAsync()).Code);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path("var/lib/wasms-gateway/provisioning.applied")));
        var report = Read("var/lib/wasms-gateway/provisioning.json");
        File.Delete(Path("etc/hostname")); // would come back if the file were applied again

        _time.Advance(TimeSpan.FromDays(1));
        var (code, output, error) = await ProvisionAsync();

        Assert.True(code == 0, error);
        Assert.Equal("provision: /boot/firmware/wasms-gateway.txt unchanged since 2026-11-25 10:00 UTC, nothing applied\n", output);
        Assert.False(File.Exists(Path("etc/hostname")));
        Assert.Equal(report, Read("var/lib/wasms-gateway/provisioning.json"));

        // An edited file is applied again (its secrets were scrubbed: the stored ones stay).
        Write("boot/firmware/wasms-gateway.txt", Read("boot/firmware/wasms-gateway.txt").Replace("shop-gateway", "back-office", StringComparison.Ordinal));
        (code, output, error) = await ProvisionAsync();
        Assert.True(code == 0, error);
        Assert.Contains("applied wifi_ssid", output, StringComparison.Ordinal);
        Assert.Equal("back-office\n", Read("etc/hostname"));
        Assert.Equal("ABCD-1234\n", Read("var/lib/wasms-gateway/enrollment-code"));
        Assert.Contains("unchanged since 2026-11-26 10:00 UTC", (await ProvisionAsync()).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AGoodFile_PutBackAfterARefusedEdit_IsAppliedAgain_AndReportsOk()
    {
        Write("boot/firmware/wasms-gateway.txt", GoodFile());
        Assert.Equal(0, (await ProvisionAsync()).Code);
        var good = Read("boot/firmware/wasms-gateway.txt"); // scrubbed: the bytes the applied record names

        Write("boot/firmware/wasms-gateway.txt", good.Replace("mqtt_port = 8883", "mqtt_port = 99999", StringComparison.Ordinal));
        Assert.Equal(78, (await ProvisionAsync()).Code);
        Assert.False(File.Exists(Path("var/lib/wasms-gateway/provisioning.applied")));

        _time.Advance(TimeSpan.FromHours(1));
        Write("boot/firmware/wasms-gateway.txt", good);
        var (code, output, error) = await ProvisionAsync();

        Assert.True(code == 0, error);
        Assert.StartsWith("provision: applied wifi_ssid", output, StringComparison.Ordinal); // not "unchanged"
        using var json = JsonDocument.Parse(Read("var/lib/wasms-gateway/provisioning.json"));
        Assert.True(json.RootElement.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task AFileSavedOnWindows_WithBomAndCrlf_IsReadAndKeepsItsLineEnds()
    {
        Write("boot/firmware/wasms-gateway.txt", "\uFEFF# from Notepad\r\nwifi_ssid = Cafe Wifi\r\nwifi_passphrase = pass#word=1\r\n");

        var (code, _, error) = await ProvisionAsync();

        Assert.True(code == 0, error);
        Assert.Contains($"\tpsk={ProvisioningApplier.PskOf("pass#word=1", "Cafe Wifi")}\n", Read("etc/wpa_supplicant/wpa_supplicant.conf"), StringComparison.Ordinal);
        Assert.EndsWith("\r\nwifi_passphrase =\r\n", Read("boot/firmware/wasms-gateway.txt"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoFile_ChangesNothing_AndWritesNoReport()
    {
        var (code, output, _) = await ProvisionAsync();

        Assert.Equal(0, code);
        Assert.Contains("nothing to apply", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path("var/lib/wasms-gateway/provisioning.json")));
    }

    [Fact]
    public void Psk_MatchesTheIeeeTestVector() => Assert.Equal(IeeePsk, ProvisioningApplier.PskOf(Passphrase, "IEEE"));

    [Fact]
    public async Task TheVerb_IsOnTheCommandLine()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        Write("boot/firmware/wasms-gateway.txt", "hostname = from-cli\n");

        var code = await GatewayCli.RunAsync(["provision", "--root", _root.Path], new Hashtable(), output, error, CancellationToken.None);

        Assert.True(code == 0, error.ToString());
        Assert.Equal("from-cli\n", Read("etc/hostname"));
    }

    private async Task<(int Code, string Output, string Error)> ProvisionAsync()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await ProvisionCommand.RunAsync(_root.Path, ProvisionCommand.DefaultFile, _time, output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    private string Path(string relative) => System.IO.Path.Combine(_root.Path, relative);

    private string Read(string relative) => File.ReadAllText(Path(relative));

    private void Write(string relative, string content)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path(relative))!);
        File.WriteAllText(Path(relative), content);
    }

    internal static (int Uid, int Gid) CurrentIds()
    {
        var status = File.ReadAllLines("/proc/self/status");
        static int First(string line) => int.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        return (First(status.Single(l => l.StartsWith("Uid:", StringComparison.Ordinal))), First(status.Single(l => l.StartsWith("Gid:", StringComparison.Ordinal))));
    }
}
