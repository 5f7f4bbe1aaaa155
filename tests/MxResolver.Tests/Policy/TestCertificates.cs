using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MxResolver.Tests.Policy;

/// <summary>Certificates made at test time with <see cref="CertificateRequest"/> (ECDSA P-256).</summary>
internal static class TestCertificates
{
    public static DateTimeOffset Now { get; } = DateTimeOffset.UtcNow;

    /// <summary>A CA certificate, self-signed or issued by <paramref name="issuer"/>, with its private key.</summary>
    public static X509Certificate2 CreateCa(string name, X509Certificate2? issuer = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        DateTimeOffset notBefore = Now.AddDays(-30);
        DateTimeOffset end = notAfter ?? Now.AddDays(365);
        if (issuer is null)
        {
            return request.CreateSelfSigned(notBefore, end);
        }

        using X509Certificate2 issued = request.Create(issuer, notBefore, end, Serial());
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>A leaf certificate with the given DNS names, self-signed or issued by <paramref name="issuer"/>.</summary>
    public static X509Certificate2 CreateLeaf(
        string commonName,
        string[] dnsNames,
        X509Certificate2? issuer = null,
        DateTimeOffset? notBefore = null,
        DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        if (dnsNames.Length > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (string name in dnsNames)
            {
                san.AddDnsName(name);
            }

            request.CertificateExtensions.Add(san.Build());
        }

        DateTimeOffset start = notBefore ?? Now.AddDays(-1);
        DateTimeOffset end = notAfter ?? Now.AddDays(90);
        if (issuer is null)
        {
            return request.CreateSelfSigned(start, end);
        }

        using X509Certificate2 issued = request.Create(issuer, start, end, Serial());
        return issued.CopyWithPrivateKey(key);
    }

    private static byte[] Serial() => RandomNumberGenerator.GetBytes(12);
}
