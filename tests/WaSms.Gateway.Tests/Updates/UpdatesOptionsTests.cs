using System.Collections;
using WaSms.Gateway.Configuration;

namespace WaSms.Gateway.Tests.Updates;

/// <summary>The <c>Updates</c> section: defaults under the state directory, and bad values named with their key at start-up.</summary>
public sealed class UpdatesOptionsTests
{
    private static GatewaySettings Load(params (string, string, string)[] cli) => ConfigurationLoader.Load(cli, null, new Hashtable());

    [Fact]
    public void Defaults_LiveUnderTheStateDirectory()
    {
        var settings = Load(("Gateway:StateDirectory", "/srv/gw", "--state-dir"));

        Assert.Equal("/srv/gw/updates", settings.Updates.DirectoryFor(settings.Gateway.StateDirectory));
        Assert.Equal("/srv/gw/updates/reboot-requested", settings.Updates.RebootRequestFileFor(settings.Gateway.StateDirectory));
        Assert.Equal((1L << 30, false), (settings.Updates.MaxBundleBytes, settings.Updates.AllowHttp));
    }

    [Fact]
    public void BundleLimitBeyondAnInt_IsAccepted()
    {
        var settings = Load(("Updates:MaxBundleBytes", "4294967296", "--Updates:MaxBundleBytes=4294967296"));

        Assert.Equal(4294967296L, settings.Updates.MaxBundleBytes);
    }

    [Theory]
    [InlineData("Updates:MaxBundleBytes", "lots", "invalid configuration: Updates:MaxBundleBytes = \"lots\" (from the command line (--x)): not a whole number")]
    [InlineData("Updates:MaxBundleBytes", "1000", "invalid configuration: Updates:MaxBundleBytes = \"1000\" (from the command line (--x)): must be between 1048576 (1 MiB) and 17179869184 (16 GiB)")]
    [InlineData("Updates:Directory", "updates", "invalid configuration: Updates:Directory = \"updates\" (from the command line (--x)): must be an absolute path")]
    [InlineData("Updates:DownloadAttempts", "0", "invalid configuration: Updates:DownloadAttempts = \"0\" (from the command line (--x)): must be between 1 and 100")]
    public void BadValue_IsOneLineNamingTheKey(string key, string value, string problem)
    {
        var failure = Assert.Throws<ConfigurationException>(() => Load((key, value, "--x")));

        Assert.Equal(problem, Assert.Single(failure.Problems));
    }
}
