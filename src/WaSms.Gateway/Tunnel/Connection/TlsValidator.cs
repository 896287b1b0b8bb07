using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using WaSms.Gateway.Configuration;

namespace WaSms.Gateway.Tunnel.Connection;

/// <summary>
/// The platform's certificate check (docs/tunnel.md §1): the system trust store, plus <c>Tunnel:CaFile</c>
/// as an extra anchor; the URL's host name; the validity dates at this gateway's clock; and the
/// <c>Tunnel:PinnedCertSha256</c> pins. No setting turns it off. A refusal leaves its reason in
/// <see cref="LastFailure"/> for the state line.
/// </summary>
public sealed class TlsValidator(TunnelOptions options, TimeProvider time)
{
    private readonly X509Certificate2? _ca = options.CaFile.Length > 0 ? X509CertificateLoader.LoadCertificateFromFile(options.CaFile) : null;
    private readonly IReadOnlyList<string> _pins = options.ParsePins();

    /// <summary>Why the last certificate was refused, or null.</summary>
    public string? LastFailure { get; private set; }

    /// <summary>Forgets the last refusal: called before each attempt, so an attempt that never reaches TLS (DNS, TCP) is not reported as refused.</summary>
    public void Reset() => LastFailure = null;

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        LastFailure = Check(certificate, chain, errors);
        return LastFailure is null;
    }

    private string? Check(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return "the platform sent no certificate";
        }
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        var now = time.GetUtcNow();
        // Dates first: a board whose clock is wrong fails every other check too, and this says why.
        if (now < leaf.NotBefore.ToUniversalTime())
        {
            return $"clock skew: the platform's certificate is valid from {Day(leaf.NotBefore)} to {Day(leaf.NotAfter)}; this gateway's clock says {Day(now.UtcDateTime)}, " +
                   $"{Behind(leaf.NotBefore.ToUniversalTime() - now.UtcDateTime)} before it: is the time synchronised (NTP)?";
        }
        if (now > leaf.NotAfter.ToUniversalTime())
        {
            return $"certificate expired: the platform's certificate is valid from {Day(leaf.NotBefore)} to {Day(leaf.NotAfter)}; this gateway's clock says {Day(now.UtcDateTime)}";
        }
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return $"the platform's certificate is for {leaf.GetNameInfo(X509NameType.DnsName, forIssuer: false)}, not {HostOf(options.Url)}";
        }
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors) && !ChainsToCaFile(leaf, chain, now))
        {
            var status = chain?.ChainStatus.FirstOrDefault().StatusInformation?.Trim();
            return $"the platform's certificate (issued by {leaf.Issuer}) is not trusted" + (_ca is null ? "" : " by the system or Tunnel:CaFile") +
                   (string.IsNullOrEmpty(status) ? "" : $": {status}");
        }
        if (_pins.Count > 0)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(leaf.RawData));
            if (!_pins.Contains(hash))
            {
                return $"the platform's certificate ({hash[..16]}…) matches none of Tunnel:PinnedCertSha256";
            }
        }
        return null;
    }

    private bool ChainsToCaFile(X509Certificate2 leaf, X509Chain? presented, DateTimeOffset now)
    {
        if (_ca is null)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        return chain.Build(leaf);
    }

    private static string Day(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string Behind(TimeSpan gap) => gap.TotalDays >= 2 ? $"{Math.Floor(gap.TotalDays):0} days" : $"{Math.Ceiling(gap.TotalHours):0} h";

    private static string HostOf(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Host : url;
}
