using WaSms.Gateway.Tests.Support;
using WaSms.Testing;

namespace WaSms.Gateway.Tests.Updates;

/// <summary><c>wasms-gateway update</c>'s bad input: one line and a documented exit code, before the service is asked.</summary>
public sealed class UpdateCliTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Update_WithoutABundle_IsAUsageError()
    {
        var (code, _, error) = await InProcessCli.RunAsync("update", "--state-dir", _dir.File("state"));

        Assert.Equal((ExitCodes.Usage, "wasms-gateway: usage: wasms-gateway update <bundle.raucb|https-url> [--sha256 HEX] [--reboot] [--no-wait]  or  wasms-gateway update <https-url> --sha256 HEX --version V --when-quiet [--urgent]  or  wasms-gateway update --offer|--dismiss\n"),
            (code, error.ReplaceLineEndings("\n")));
    }

    [Theory]
    [InlineData("http://updates.example/wasms-gateway-2.0.0.raucb",
        "update: http://updates.example/wasms-gateway-2.0.0.raucb: http:// is refused, bundles are downloaded over https only (Updates:AllowHttp is for tests)")]
    [InlineData("ftp://updates.example/b.raucb", "update: \"ftp://updates.example/b.raucb\" is not an https:// URL or the path of a bundle file")]
    [InlineData("https://", "update: \"https://\" is not an https:// URL or the path of a bundle file")]
    public async Task Update_BadUrl_IsOneUsageLine(string url, string message)
    {
        var (code, output, error) = await InProcessCli.RunAsync("update", url, "--state-dir", _dir.File("state"));

        Assert.Equal((ExitCodes.Usage, $"wasms-gateway: {message}\n", ""), (code, error.ReplaceLineEndings("\n"), output));
    }

    [Fact]
    public async Task Update_BadSha256_IsAUsageError()
    {
        var (code, _, error) = await InProcessCli.RunAsync("update", "https://updates.example/b.raucb", "--sha256", "abc", "--state-dir", _dir.File("state"));

        Assert.Equal((ExitCodes.Usage, "wasms-gateway: update: --sha256 takes 64 hex digits, not \"abc\"\n"), (code, error.ReplaceLineEndings("\n")));
    }

    [Fact]
    public async Task Update_HttpAllowedByOption_GoesToTheService()
    {
        Directory.CreateDirectory(_dir.File("state"));

        var (code, _, error) = await InProcessCli.RunAsync("update", "http://127.0.0.1:9/b.raucb", "--Updates:AllowHttp=true", "--state-dir", _dir.File("state"));

        Assert.Equal(ExitCodes.NotRunning, code); // past the URL check: only the missing service stops it
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public async Task Update_MissingFile_IsAUsageErrorNamingIt()
    {
        var missing = _dir.File("nothing.raucb");

        var (code, _, error) = await InProcessCli.RunAsync("update", missing, "--state-dir", _dir.File("state"));

        Assert.Equal((ExitCodes.Usage, $"wasms-gateway: update: {missing} does not exist\n"), (code, error.ReplaceLineEndings("\n")));
    }

    [Fact]
    public async Task Update_NoServiceRunning_ExitsNotRunning()
    {
        var bundle = _dir.File("wasms-gateway-2.0.0.raucb");
        await File.WriteAllTextAsync(bundle, "bundle");
        Directory.CreateDirectory(_dir.File("state"));

        var (code, _, error) = await InProcessCli.RunAsync("update", bundle, "--state-dir", _dir.File("state"));

        Assert.Equal(ExitCodes.NotRunning, code);
        Assert.StartsWith("wasms-gateway: ", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }
}
