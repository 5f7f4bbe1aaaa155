using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MxResolver.Testing;

/// <summary>
/// A throw-away test CA and a server certificate it issued for <see cref="ServerName"/> and 127.0.0.1,
/// written as PEM files for Unbound's <c>tls-service-pem</c> / <c>tls-service-key</c>. ECDSA P-256
/// keys: created in well under a millisecond, unlike RSA.
/// </summary>
internal sealed class UnboundTlsMaterial : IDisposable
{
    public const string ServerName = "dns.unbound.test";

    private UnboundTlsMaterial(IPEndPoint endPoint, X509Certificate2 ca, string caPath, string certificatePath, string keyPath)
    {
        EndPoint = endPoint;
        CaCertificate = ca;
        CaCertificatePath = caPath;
        CertificatePath = certificatePath;
        KeyPath = keyPath;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>The CA certificate (public part only).</summary>
    public X509Certificate2 CaCertificate { get; }

    public string CaCertificatePath { get; }

    /// <summary>The server certificate followed by the CA certificate (the chain Unbound sends).</summary>
    public string CertificatePath { get; }

    /// <summary>The server's private key, PKCS#8 PEM.</summary>
    public string KeyPath { get; }

    public static UnboundTlsMaterial Create(string directory, IPEndPoint endPoint)
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=MxResolver test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, critical: false));
        using var caWithKey = caRequest.CreateSelfSigned(now.AddHours(-1), now.AddDays(2));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=" + ServerName, serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(ServerName);
        names.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(caWithKey, true, false));
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var server = serverRequest.Create(caWithKey, now.AddHours(-1), now.AddDays(1), serial);

        var tlsDirectory = Path.Combine(directory, "tls");
        Directory.CreateDirectory(tlsDirectory);
        var caPath = Path.Combine(tlsDirectory, "ca.pem");
        var certificatePath = Path.Combine(tlsDirectory, "server.pem");
        var keyPath = Path.Combine(tlsDirectory, "server.key");
        var caPem = PemEncoding.WriteString("CERTIFICATE", caWithKey.RawData);
        File.WriteAllText(caPath, caPem + "\n");
        File.WriteAllText(certificatePath, PemEncoding.WriteString("CERTIFICATE", server.RawData) + "\n" + caPem + "\n");
        File.WriteAllText(keyPath, PemEncoding.WriteString("PRIVATE KEY", serverKey.ExportPkcs8PrivateKey()) + "\n");

        // Public part only: the CA's private key dies with this method.
        return new UnboundTlsMaterial(endPoint, LoadCertificate(caWithKey.RawData), caPath, certificatePath, keyPath);
    }

    public void Dispose() => CaCertificate.Dispose();

    private static X509Certificate2 LoadCertificate(byte[] der) =>
#if NET9_0_OR_GREATER
        X509CertificateLoader.LoadCertificate(der);
#else
        new(der);
#endif
}
