using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace WaSms.Emulators.Platform.Tls;

/// <summary>
/// The platform emulator's test CA and its server certificate for 127.0.0.1 and localhost, both
/// ECDSA P-256, made on first start and kept in the data directory (<c>ca.pem</c>, the file a gateway
/// gets as <c>Tunnel:CaFile</c>; <c>server.pem</c>; the keys <c>ca-key.pem</c> and <c>server-key.pem</c> owner
/// only). A server certificate close to expiry is made again under the same CA, so a gateway keeps
/// trusting the emulator across restarts.
/// </summary>
public sealed class PlatformCertificates : IDisposable
{
    private const string CaName = "CN=WaSMS platform emulator test CA";

    private PlatformCertificates(string caFile, X509Certificate2 server)
    {
        CaFile = caFile;
        Server = server;
    }

    /// <summary>The CA certificate as PEM, for <c>Tunnel:CaFile</c>.</summary>
    public string CaFile { get; }

    /// <summary>The server certificate with its private key, for the TLS listener.</summary>
    public X509Certificate2 Server { get; }

    /// <summary>Loads the CA and server certificate from <paramref name="directory"/>, making what is missing or expiring.</summary>
    public static PlatformCertificates LoadOrCreate(string directory, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var caFile = Path.Combine(directory, "ca.pem");
        var caKeyFile = Path.Combine(directory, "ca-key.pem");
        var serverFile = Path.Combine(directory, "server.pem");
        var serverKeyFile = Path.Combine(directory, "server-key.pem");
        if (!File.Exists(caFile) || !File.Exists(caKeyFile))
        {
            using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest(CaName, caKey, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            using var ca = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
            WritePrivate(caKeyFile, caKey.ExportPkcs8PrivateKeyPem());
            File.WriteAllText(caFile, ca.ExportCertificatePem());
            File.Delete(serverFile);
        }

        if (File.Exists(serverFile) && File.Exists(serverKeyFile))
        {
            var existing = X509Certificate2.CreateFromPemFile(serverFile, serverKeyFile);
            if (existing.NotAfter.ToUniversalTime() > now.UtcDateTime.AddDays(7))
            {
                return new PlatformCertificates(caFile, existing);
            }

            existing.Dispose();
        }

        using var caCertificate = X509Certificate2.CreateFromPemFile(caFile, caKeyFile);
        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = serverRequest.Create(caCertificate, now.AddDays(-1), now.AddDays(365), serial);
        WritePrivate(serverKeyFile, serverKey.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(serverFile, issued.ExportCertificatePem());
        return new PlatformCertificates(caFile, X509Certificate2.CreateFromPemFile(serverFile, serverKeyFile));
    }

    /// <inheritdoc />
    public void Dispose() => Server.Dispose();

    private static void WritePrivate(string path, string pem)
    {
        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        using var writer = new StreamWriter(stream);
        writer.Write(pem);
    }
}
