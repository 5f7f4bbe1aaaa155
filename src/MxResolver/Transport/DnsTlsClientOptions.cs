using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MxResolver.Transport;

/// <summary>
/// How DNS over TLS servers are authenticated (RFC 7858, RFC 8310 strict privacy profile).
/// </summary>
/// <remarks>
/// <para>
/// A server entry names an authentication name, SPKI pins, or both (<see cref="NameServerEndpoint"/>):
/// </para>
/// <list type="bullet">
/// <item><description>
/// Name only (RFC 8310 §8): the certificate chain must build to a trusted root (the machine's store,
/// or <see cref="TrustedRoots"/> when set), be within its validity period, and carry the name
/// (RFC 6125 matching, as <see cref="SslStream"/> does it). Any <see cref="SslPolicyErrors"/> fails.
/// </description></item>
/// <item><description>
/// Pins (RFC 7858 §4.2, with or without a name): the server is authenticated when the SHA-256 of the
/// end-entity certificate's SubjectPublicKeyInfo equals one of the pins; the chain's trust, dates
/// and name are then not required, so a self-signed server works. Only the end-entity key counts:
/// the handshake proves the server holds that key, whereas an intermediate certificate in an
/// unvalidated chain is public data anyone can present. The name, if any, is still sent as SNI.
/// </description></item>
/// </list>
/// <para>
/// Every failure ends the connection attempt with <see cref="DnsStreamStatus.TlsFailed"/>; there is
/// no fallback to TCP or UDP (fail closed, RFC 8310 §5). TLS 1.2 or later only (RFC 8310 §9 via
/// RFC 7525). Session resumption: .NET on Linux keeps OpenSSL contexts and sessions per target host
/// and options, so a new connection to the same server with the same name resumes the previous
/// session; nothing here disables that.
/// </para>
/// </remarks>
internal sealed class DnsTlsClientOptions
{
    /// <summary>The default: the machine's trust store, no revocation check.</summary>
    public static DnsTlsClientOptions Default { get; } = new();

    /// <summary>
    /// Roots to trust instead of the machine's store (<see cref="X509ChainTrustMode.CustomRootTrust"/>),
    /// e.g. a private CA; <see langword="null"/> for the machine's store.
    /// </summary>
    public X509Certificate2Collection? TrustedRoots { get; init; }

    /// <summary>Whether to check revocation (online lookups); off by default, as a resolver has no other network.</summary>
    public X509RevocationMode RevocationMode { get; init; } = X509RevocationMode.NoCheck;

    /// <summary>The protocol versions offered; TLS 1.2 and 1.3.</summary>
    public SslProtocols EnabledProtocols { get; init; } = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>Builds the handshake options for <paramref name="server"/>; <paramref name="failure"/> receives why the server was rejected.</summary>
    internal SslClientAuthenticationOptions CreateAuthenticationOptions(NameServerEndpoint server, StrongBox<string?> failure)
    {
        X509ChainPolicy? policy = null;
        if (TrustedRoots is { Count: > 0 } roots)
        {
            policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = RevocationMode,
            };
            policy.CustomTrustStore.AddRange(roots);
        }

        return new SslClientAuthenticationOptions
        {
            // The authentication name (also SNI); with pins only, the address (no SNI is sent for an IP).
            TargetHost = server.AuthenticationName ?? server.EndPoint.Address.ToString(),
            EnabledSslProtocols = EnabledProtocols,
            CertificateRevocationCheckMode = RevocationMode,
            CertificateChainPolicy = policy,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Validate(server, certificate, chain, errors, failure),
        };
    }

    /// <summary>The base64 SHA-256 of <paramref name="certificate"/>'s SubjectPublicKeyInfo, as pins are written.</summary>
    public static byte[] ComputeSpkiPin(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo());
    }

    private static bool Validate(NameServerEndpoint server, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, StrongBox<string?> failure)
    {
        if (certificate is null)
        {
            failure.Value = "the server presented no certificate";
            return false;
        }

        if (server.HasPins)
        {
            byte[] actual = ComputeSpkiPin(certificate as X509Certificate2 ?? new X509Certificate2(certificate));
            foreach (var pin in server.SpkiPins)
            {
                if (CryptographicOperations.FixedTimeEquals(actual, pin.AsSpan()))
                {
                    return true;
                }
            }

            failure.Value = $"SPKI pin mismatch: the server's key is sha256/{Convert.ToBase64String(actual)}, which matches none of the {server.SpkiPins.Length} configured pin(s)";
            return false;
        }

        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        var reasons = new List<string>();
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            reasons.Add($"the certificate is not valid for the name '{server.AuthenticationName}'");
        }

        if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            reasons.Add(DescribeChain(certificate, chain));
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            reasons.Add("no certificate was available");
        }

        failure.Value = "certificate rejected: " + string.Join("; ", reasons);
        return false;
    }

    private static string DescribeChain(X509Certificate certificate, X509Chain? chain)
    {
        X509Certificate2 leaf = certificate as X509Certificate2 ?? new X509Certificate2(certificate);
        var statuses = new List<string>();
        if (chain is not null)
        {
            foreach (X509ChainElement element in chain.ChainElements)
            {
                foreach (X509ChainStatus status in element.ChainElementStatus)
                {
                    string flag = status.Status.ToString();
                    if (!statuses.Contains(flag))
                    {
                        statuses.Add(flag);
                    }
                }
            }
        }

        string what = statuses.Count == 0 ? "chain errors" : string.Join(", ", statuses);
        return $"the certificate chain is not valid ({what}; subject '{leaf.Subject}', valid {leaf.NotBefore.ToUniversalTime():u} to {leaf.NotAfter.ToUniversalTime():u})";
    }
}
