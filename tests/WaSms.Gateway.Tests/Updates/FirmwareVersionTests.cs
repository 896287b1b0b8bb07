using System.Reflection;
using WaSms.Gateway.Updates;

namespace WaSms.Gateway.Tests.Updates;

/// <summary>
/// The version the gateway runs as: on a card the slot's <c>/usr/lib/wasms-update/version</c> (the name its image or
/// bundle was built under, which the update report compares with), else the build's version without its commit.
/// </summary>
public sealed class FirmwareVersionTests
{
    [Theory]
    [InlineData("1.6.0-rc1\n", "1.6.0-rc1")]
    [InlineData("  0.1.0-v2  \nsecond line\n", "0.1.0-v2")]
    [InlineData("2.0.0+build.7~x", "2.0.0+build.7~x")]
    public void TheSlotsVersionFile_Wins(string content, string expected)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("version"), content);

        Assert.Equal(expected, FirmwareVersion.Read(dir.File("version"), "0.1.0"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("1.6.0 beta")]
    [InlineData("1.6.0;reboot")]
    [InlineData("12345678901234567890123456789012345678901234567890123456789012345")]
    public void AFileWithoutAVersion_FallsBackToTheBuilds(string content)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("version"), content);

        Assert.Equal("0.1.0", FirmwareVersion.Read(dir.File("version"), "0.1.0"));
    }

    [Fact]
    public void NoFile_FallsBackToTheBuilds()
    {
        using var dir = new TempDirectory();

        Assert.Equal("0.1.0", FirmwareVersion.Read(dir.File("missing"), "0.1.0"));
        Assert.Equal("0.1.0", FirmwareVersion.Read(Path.Combine(dir.Path, "no-dir", "version"), "0.1.0"));
    }

    [Fact]
    public void TheBuildsVersion_IsWithoutTheCommit()
    {
        var version = FirmwareVersion.BuildVersion(typeof(FirmwareVersion).Assembly);
        var informational = typeof(FirmwareVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

        Assert.DoesNotContain('+', version);
        Assert.StartsWith(version, informational, StringComparison.Ordinal);
    }
}
