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

        Assert.Equal((ExitCodes.Usage, "wasms-gateway: usage: wasms-gateway update <bundle.raucb> [--no-wait]\n"), (code, error.ReplaceLineEndings("\n")));
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
