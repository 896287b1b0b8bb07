using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;

namespace WaSms.Health.Mqtt;

/// <summary>
/// The broker certificate check: accepts exactly what the platform accepts (no policy errors against
/// the trust in <c>Mqtt:CaFile</c> or the system store) and, when it refuses, keeps the reason
/// (untrusted root, expired, not yet valid, name mismatch) for the log and <c>status</c>, which the
/// TLS exception alone does not carry. One instance per reporter; reset before each attempt.
/// </summary>
internal sealed class BrokerCertificateCheck(string host, string caFile)
{
    private volatile string? _rejection;
    private volatile bool _presented;

    /// <summary>Why the last attempt's certificate was refused, or null.</summary>
    public string? Rejection => _rejection;

    /// <summary>True once the broker presented a certificate in this attempt (so it did speak TLS).</summary>
    public bool Presented => _presented;

    public void Reset()
    {
        _rejection = null;
        _presented = false;
    }

    public bool Validate(MqttClientCertificateValidationEventArgs e)
    {
        _presented = true;
        if (e.SslPolicyErrors == SslPolicyErrors.None)
        {
            return true;
        }
        _rejection = Describe(e.Certificate as X509Certificate2, e.Chain, e.SslPolicyErrors);
        return false; // never accept an invalid certificate, whatever the reason
    }

    private string Describe(X509Certificate2? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var problems = new List<string>();
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            problems.Add("the broker sent no certificate");
        }
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            problems.Add($"name mismatch: the certificate ({certificate?.Subject ?? "no subject"}) is not for {host}");
        }
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
        {
            var status = chain?.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status) ?? X509ChainStatusFlags.NoError;
            var known = false;
            var trust = caFile.Length > 0 ? caFile : "the system trust store";
            if ((status & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0)
            {
                problems.Add($"untrusted root: no CA in {trust} signed it{(caFile.Length > 0 ? "" : " (a private CA needs Mqtt:CaFile)")}");
                known = true;
            }
            else if ((status & X509ChainStatusFlags.NotSignatureValid) != 0)
            {
                // A CA of the same name (e.g. one generated again) that did not sign this certificate.
                problems.Add($"untrusted root: a CA in {trust} has the issuer's name but did not sign it");
                known = true;
            }
            if ((status & X509ChainStatusFlags.NotTimeValid) != 0 && TimeProblem(certificate, chain) is { } time)
            {
                problems.Add(time);
                known = true;
            }
            if ((status & X509ChainStatusFlags.Revoked) != 0)
            {
                problems.Add("revoked");
                known = true;
            }
            if (!known)
            {
                problems.Add("chain: " + string.Join(", ", chain?.ChainStatus.Select(s => s.Status.ToString()) ?? ["unknown"]));
            }
        }
        return "the broker's TLS certificate was rejected: " + string.Join("; ", problems);
    }

    /// <summary>Which certificate is out of its validity period. The chain was built on the system
    /// clock, so this compares with the same clock.</summary>
    private static string? TimeProblem(X509Certificate2? certificate, X509Chain? chain)
    {
        var now = DateTime.UtcNow;
        var all = new List<X509Certificate2>();
        if (certificate is not null)
        {
            all.Add(certificate);
        }
        all.AddRange(chain?.ChainElements.Select(e => e.Certificate) ?? []);
        foreach (var c in all)
        {
            var who = ReferenceEquals(c, certificate) || c.Equals(certificate) ? "the certificate" : $"the CA certificate {c.Subject}";
            if (c.NotAfter.ToUniversalTime() < now)
            {
                return $"{who} expired on {c.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm}Z";
            }
            if (c.NotBefore.ToUniversalTime() > now)
            {
                return $"{who} is not yet valid (from {c.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm}Z; is the clock right?)";
            }
        }
        return null;
    }
}
