using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace WaSms.Health.Tests.Support;

/// <summary>
/// A throw-away CA and a server certificate for localhost / 127.0.0.1 (or <c>names</c>), written as PEM
/// files; <c>serverValidDays</c> shifts the server certificate's validity (e.g. -10..-1: expired).
/// </summary>
public sealed record TestCertificateAuthority(string CaFile, string ServerCertFile, string ServerKeyFile)
{
    public static TestCertificateAuthority Create(string directory, string prefix = "", (int From, int To)? serverValidDays = null, string[]? names = null)
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN=WaSMS test CA{prefix}", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-60), now.AddDays(60));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        names ??= ["localhost", "127.0.0.1"];
        var serverRequest = new CertificateRequest($"CN={names[0]}", serverKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var ip))
            {
                san.AddIpAddress(ip);
            }
            else
            {
                san.AddDnsName(name);
            }
        }
        serverRequest.CertificateExtensions.Add(san.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var (from, to) = serverValidDays ?? (-1, 30);
        using var server = serverRequest.Create(ca, now.AddDays(from), now.AddDays(to), RandomNumberGenerator.GetBytes(8));

        var result = new TestCertificateAuthority(Path.Combine(directory, prefix + "ca.pem"), Path.Combine(directory, prefix + "server.pem"),
            Path.Combine(directory, prefix + "server.key"));
        File.WriteAllText(result.CaFile, ca.ExportCertificatePem());
        File.WriteAllText(result.ServerCertFile, server.ExportCertificatePem());
        File.WriteAllText(result.ServerKeyFile, serverKey.ExportPkcs8PrivateKeyPem());
        return result;
    }
}
