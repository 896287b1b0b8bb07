using System.Security.Cryptography;

namespace WaSms.Health.Tests.Mqtt;

/// <summary><c>Mqtt:CaFile</c> must hold a PEM certificate (checked at start-up, exit 78 through the loader).</summary>
public sealed class MqttOptionsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public void CaFile_WithACertificate_IsAccepted()
    {
        var ca = TestCertificateAuthority.Create(_temp.Path);
        Assert.Empty(new MqttOptions { Host = "h", Tls = true, CaFile = ca.CaFile }.Validate());
    }

    [Theory]
    [InlineData("")]
    [InlineData("just some text\n")]
    [InlineData("KEY")] // a private key where the CA belongs
    public void CaFile_WithoutACertificate_IsRefused(string content)
    {
        var file = Path.Combine(_temp.Path, "ca.pem");
        if (content == "KEY")
        {
            using var key = ECDsa.Create();
            content = key.ExportPkcs8PrivateKeyPem();
        }
        File.WriteAllText(file, content);
        var (key2, problem) = Assert.Single(new MqttOptions { Host = "h", Tls = true, CaFile = file }.Validate());
        Assert.Equal("Mqtt:CaFile", key2);
        Assert.Contains("holds no PEM certificate", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void CaFile_WithADamagedCertificate_IsRefused()
    {
        var file = Path.Combine(_temp.Path, "ca.pem");
        File.WriteAllText(file, "-----BEGIN CERTIFICATE-----\nTUlJQmFhYQ==\n-----END CERTIFICATE-----\n");
        var (_, problem) = Assert.Single(new MqttOptions { Host = "h", Tls = true, CaFile = file }.Validate());
        Assert.Contains("cannot be read", problem, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();
}
