using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MxResolver.Policy;
using MxResolver.Resolution;

namespace MxResolver;

/// <summary>
/// The certificate check MTA-STS requires of an MX host (RFC 8461 §4.2): the chain must validate
/// against the system's trusted roots (WebPKI), the certificate must be within its validity period,
/// and a DNS-ID (subjectAltName dNSName) must match the MX host name, a wildcard standing for the
/// whole leftmost label only.
/// </summary>
public static class MtaStsCertificateValidator
{
    /// <summary>
    /// Judges the platform's verdict on a server certificate under MTA-STS (RFC 8461 §4.2). The
    /// chain verdict is the platform's (<paramref name="errors"/> and the chain status); the name is
    /// checked here against <paramref name="mxHost"/>, whatever target host the TLS client used.
    /// </summary>
    /// <param name="certificate">The server's certificate; <see langword="null"/> when it sent none.</param>
    /// <param name="chain">The chain the platform built; used to tell an expired certificate from an untrusted one.</param>
    /// <param name="errors">The platform's verdict.</param>
    /// <param name="mxHost">The MX host name connected to.</param>
    /// <returns>The outcome: authenticated, or failed with <c>certificate-expired</c>, <c>certificate-not-trusted</c>, <c>certificate-host-mismatch</c> or <c>validation-failure</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="mxHost"/> is <see langword="null"/>.</exception>
    public static CertificateCheckResult Check(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, string mxHost)
    {
        ArgumentNullException.ThrowIfNull(mxHost);
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return CertificateCheckResult.Fail(TlsRptResultType.ValidationFailure, "no-certificate", "the server presented no certificate");
        }

        if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            X509ChainStatusFlags flags = X509ChainStatusFlags.NoError;
            if (chain is not null)
            {
                foreach (X509ChainStatus status in chain.ChainStatus)
                {
                    flags |= status.Status;
                }
            }

            return (flags & X509ChainStatusFlags.NotTimeValid) != 0
                ? CertificateCheckResult.Fail(TlsRptResultType.CertificateExpired, "pkix-expired", "a certificate of the chain is outside its validity period")
                : CertificateCheckResult.Fail(TlsRptResultType.CertificateNotTrusted, "pkix-untrusted", "the chain does not validate to a trusted root");
        }

        using var owned = new OwnedCertificates();
        X509Certificate2 leaf = owned.AsCertificate2(certificate)!;
        if (!CertificateNames.AnyMatches(CertificateNames.PresentedNames(leaf, commonNameFallback: false), [mxHost]))
        {
            return CertificateCheckResult.Fail(
                TlsRptResultType.CertificateHostMismatch, "pkix-name-mismatch", "no DNS name of the certificate matches the MX host");
        }

        return new CertificateCheckResult(CertificateCheckStatus.Authenticated, null, "pkix", "the chain validates and the certificate names the MX host");
    }

    /// <summary>
    /// A certificate validation callback for <see cref="SslStream"/> (its
    /// <see cref="RemoteCertificateValidationCallback"/> shape) that applies <see cref="Check"/>
    /// for <paramref name="mxHost"/>, and reports every check: a <c>MxResolver.VerifyCertificate</c>
    /// span, the <c>mxresolver.tls.verifications</c> counter, and a warning (event 1408) when it fails.
    /// </summary>
    /// <param name="mxHost">The MX host name connected to.</param>
    /// <param name="observer">Called with every result (e.g. to record it in a <see cref="TlsRptReportBuilder"/>); optional.</param>
    /// <param name="logger">Where failed checks are logged; optional.</param>
    /// <returns>The callback: <see langword="true"/> when the certificate is authenticated.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="mxHost"/> is <see langword="null"/>.</exception>
    public static RemoteCertificateValidationCallback CreateValidationCallback(string mxHost, Action<CertificateCheckResult>? observer = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(mxHost);
        ILogger log = logger ?? NullLogger.Instance;
        return (sender, certificate, chain, errors) =>
        {
            CertificateCheckResult result = Check(certificate, chain, errors, mxHost);
            PolicyTelemetry.RecordVerification(NetworkLookup.SharedTelemetry, log, PolicyTelemetry.MtaStsPolicy, result);
            observer?.Invoke(result);
            return result.IsAcceptable;
        };
    }
}
