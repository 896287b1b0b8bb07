using WaSms.Health.Mqtt;

namespace WaSms.Health.Tests.Mqtt;

public sealed class GatewayIdentityTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task BoardSerial_GivesIdFromItsLastEightHexDigits()
    {
        FakeProcSys.Write(_dir.Path, withSerial: true);
        var id = await new GatewayIdentity(Path.Combine(_dir.Path, "state"), _dir.Path).GetAsync(CancellationToken.None);
        Assert.Equal("wasms-b2c4d6e8", id);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "state", "gateway-id")));
    }

    [Fact]
    public async Task NoSerial_GeneratesOnceKeepsItOwnerOnly()
    {
        var state = Path.Combine(_dir.Path, "state");
        var first = await new GatewayIdentity(state, _dir.Path).GetAsync(CancellationToken.None);
        var second = await new GatewayIdentity(state, _dir.Path).GetAsync(CancellationToken.None);
        Assert.Matches("^wasms-[0-9a-f]{8}$", first);
        Assert.Equal(first, second);
        var file = Path.Combine(state, "gateway-id");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    [Fact]
    public async Task DamagedFile_IsReplaced()
    {
        var state = Path.Combine(_dir.Path, "state");
        Directory.CreateDirectory(state);
        await File.WriteAllTextAsync(Path.Combine(state, "gateway-id"), "bad id/with+wildcards#");
        var id = await new GatewayIdentity(state, _dir.Path).GetAsync(CancellationToken.None);
        Assert.Matches("^wasms-[0-9a-f]{8}$", id);
    }

    public void Dispose() => _dir.Dispose();
}
