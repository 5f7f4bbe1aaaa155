using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MxResolver.Diagnostics;
using MxResolver.Policy;
using MxResolver.Resolution;

namespace MxResolver;

/// <summary>
/// Checks an SMTP server's certificate chain against the host's DNSSEC-validated TLSA records
/// (DANE for SMTP, RFC 7672 §3; TLSA fields of RFC 6698 §2). Thread-safe and stateless apart from
/// its clock.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>DANE-EE(3) (RFC 7672 §3.1.1): the leaf certificate or its public key must match; names,
/// validity dates and key usage are not checked, because DNSSEC, not a CA, vouches for the key.</item>
/// <item>DANE-TA(2) (RFC 7672 §3.1.2): some certificate the server sent must match and becomes the
/// trust anchor; a Cert(0) Full(0) record may also supply the anchor itself. The chain from the
/// leaf is built to that anchor only (<see cref="X509ChainTrustMode.CustomRootTrust"/>), its
/// signatures and the validity dates of the certificates below the anchor are checked, and a
/// leaf DNS name must match a reference identifier (RFC 7672 §3.2.2–3.2.3). The anchor's own dates
/// are not checked: it is trusted because DNSSEC publishes it, as a root would be.</item>
/// <item>Revocation is not checked (<see cref="X509RevocationMode.NoCheck"/>) and no
/// certificate is downloaded: the TLSA records are the authority, their owner withdraws trust by
/// changing them, RFC 7672 asks for no revocation check, and fetching CRLs or OCSP from an MTA
/// would add latency and a network dependency to every delivery.</item>
/// <item>PKIX-TA(0), PKIX-EE(1), unknown selectors and matching types, and digests of the wrong
/// length are unusable (RFC 7672 §3.1.3). With TLSA records but none usable, the result is
/// <see cref="CertificateCheckStatus.Unauthenticated"/>: TLS stays mandatory but any certificate
/// is accepted (RFC 7672 §2.2).</item>
/// </list>
/// <para>
/// <see cref="Verify"/> only judges. The callbacks of <see cref="CreateValidationCallback"/> also
/// report every check they make: a <c>MxResolver.VerifyCertificate</c> span, the
/// <c>mxresolver.tls.verifications</c> counter, and a warning (event 1408) when a check fails.
/// <c>AddMxResolver</c> registers a verifier whose logger and meter are the app's.
/// </para>
/// </remarks>
public sealed class DaneVerifier
{
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly MxResolverTelemetry _telemetry;

    /// <summary>Creates a verifier.</summary>
    /// <param name="timeProvider">The clock for certificate validity under DANE-TA(2); <see langword="null"/> for the system clock.</param>
    /// <param name="logger">Where failed checks are logged; <see langword="null"/> for none.</param>
    public DaneVerifier(TimeProvider? timeProvider = null, ILogger<DaneVerifier>? logger = null)
        : this(timeProvider, logger, null)
    {
    }

    internal DaneVerifier(TimeProvider? timeProvider, ILogger? logger, MxResolverTelemetry? telemetry)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _telemetry = telemetry ?? NetworkLookup.SharedTelemetry;
    }

    /// <summary>
    /// The reference identifiers for DANE-TA(2) name checks (RFC 7672 §3.2.2): the TLSA base
    /// domain (the MX host name after any secure CNAME expansion, or for a domain without MX
    /// records the next-hop domain after it), the MX host name as the MX record gave it, and, when
    /// the MX RRset was DNSSEC-validated, the next-hop domain (the recipient domain), since a secure
    /// MX record shows that domain chose the host. Duplicates are removed.
    /// </summary>
    /// <param name="nextHopDomain">The next-hop domain: the recipient's domain, or the configured relay.</param>
    /// <param name="mxHostname">The MX host name from the MX record; <see langword="null"/> when the domain has no MX records (implicit MX).</param>
    /// <param name="tlsaBaseDomain">The TLSA base domain when CNAME expansion changed the name; <see langword="null"/> otherwise.</param>
    /// <param name="mxRrsetSecure">Whether the MX RRset was DNSSEC-validated.</param>
    /// <returns>The identifiers, lower case, without trailing dots.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="nextHopDomain"/> is <see langword="null"/>.</exception>
    public static IReadOnlyList<string> GetReferenceIdentifiers(string nextHopDomain, string? mxHostname, string? tlsaBaseDomain, bool mxRrsetSecure)
    {
        ArgumentNullException.ThrowIfNull(nextHopDomain);
        var names = new List<string>();
        void Add(string? name)
        {
            if (name is not null && PolicyNames.TryNormalize(name, out string normalized) && !names.Contains(normalized))
            {
                names.Add(normalized);
            }
        }

        Add(tlsaBaseDomain);
        if (mxHostname is null)
        {
            Add(nextHopDomain);
        }
        else
        {
            Add(mxHostname);
            if (mxRrsetSecure)
            {
                Add(nextHopDomain);
            }
        }

        return names.AsReadOnly();
    }

    /// <summary>
    /// Checks a server certificate chain against the host's TLSA records (RFC 7672 §3.1–3.2).
    /// </summary>
    /// <param name="leaf">The server's certificate; <see langword="null"/> when it sent none.</param>
    /// <param name="presented">The other certificates the server sent (order irrelevant; the leaf may be among them).</param>
    /// <param name="associations">The host's DNSSEC-validated TLSA records; must not be empty.</param>
    /// <param name="referenceIdentifiers">The names a DANE-TA(2)-authenticated leaf must carry (see <see cref="GetReferenceIdentifiers"/>).</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="ArgumentNullException">A collection argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="associations"/> is empty: without TLSA records DANE does not apply.</exception>
    public CertificateCheckResult Verify(
        X509Certificate2? leaf,
        IEnumerable<X509Certificate2> presented,
        IReadOnlyCollection<TlsaAssociation> associations,
        IReadOnlyCollection<string> referenceIdentifiers)
    {
        ArgumentNullException.ThrowIfNull(presented);
        ArgumentNullException.ThrowIfNull(associations);
        ArgumentNullException.ThrowIfNull(referenceIdentifiers);
        if (associations.Count == 0)
        {
            throw new ArgumentException("DANE needs at least one TLSA record; without any, DANE does not apply.", nameof(associations));
        }

        var usable = associations.Where(a => a is not null && a.IsUsableForSmtp).ToList();
        if (usable.Count == 0)
        {
            return new CertificateCheckResult(
                CertificateCheckStatus.Unauthenticated,
                TlsRptResultType.TlsaInvalid,
                "dane-no-usable-tlsa",
                $"none of the {associations.Count} TLSA records is usable for SMTP; TLS is required but unauthenticated");
        }

        if (leaf is null)
        {
            return CertificateCheckResult.Fail(TlsRptResultType.ValidationFailure, "no-certificate", "the server presented no certificate");
        }

        foreach (TlsaAssociation association in usable)
        {
            if (association.Usage == TlsaCertificateUsage.DaneEe && DaneMatching.Matches(association, leaf))
            {
                return new CertificateCheckResult(
                    CertificateCheckStatus.Authenticated, null, "dane-ee", "the leaf certificate matches a DANE-EE(3) record", association);
            }
        }

        List<X509Certificate2> chainCertificates = [leaf, .. presented.Where(c => c is not null && !c.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span))];
        CertificateCheckResult? taFailure = null;
        foreach (TlsaAssociation association in usable)
        {
            if (association.Usage != TlsaCertificateUsage.DaneTa)
            {
                continue;
            }

            foreach (X509Certificate2 anchor in Anchors(association, chainCertificates))
            {
                CertificateCheckResult result = VerifyToAnchor(leaf, chainCertificates, anchor, association, referenceIdentifiers);
                if (!chainCertificates.Contains(anchor))
                {
                    anchor.Dispose(); // made from the record's data
                }

                if (result.Status == CertificateCheckStatus.Authenticated)
                {
                    return result;
                }

                taFailure ??= result;
            }
        }

        return taFailure ?? CertificateCheckResult.Fail(
            TlsRptResultType.ValidationFailure,
            "dane-no-match",
            $"no certificate of the presented chain matches any of the {usable.Count} usable TLSA records");
    }

    /// <summary>
    /// A certificate validation callback for <see cref="SslStream"/> (its
    /// <see cref="RemoteCertificateValidationCallback"/> shape) that applies <see cref="Verify"/>
    /// and ignores the platform's own trust and name verdicts, which DANE replaces. The chain
    /// certificates are taken from the callback's chain elements and its extra store (where
    /// <see cref="SslStream"/> puts the certificates the server sent).
    /// </summary>
    /// <param name="associations">The host's DNSSEC-validated TLSA records; must not be empty.</param>
    /// <param name="referenceIdentifiers">The names a DANE-TA(2)-authenticated leaf must carry.</param>
    /// <param name="observer">Called with every result (e.g. to record it in a <see cref="TlsRptReportBuilder"/>); optional.</param>
    /// <returns>The callback: <see langword="true"/> when the result is acceptable.</returns>
    /// <exception cref="ArgumentNullException">A collection argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="associations"/> is empty.</exception>
    public RemoteCertificateValidationCallback CreateValidationCallback(
        IReadOnlyCollection<TlsaAssociation> associations,
        IReadOnlyCollection<string> referenceIdentifiers,
        Action<CertificateCheckResult>? observer = null)
    {
        ArgumentNullException.ThrowIfNull(associations);
        ArgumentNullException.ThrowIfNull(referenceIdentifiers);
        if (associations.Count == 0)
        {
            throw new ArgumentException("DANE needs at least one TLSA record; without any, DANE does not apply.", nameof(associations));
        }

        TlsaAssociation[] records = [.. associations];
        string[] names = [.. referenceIdentifiers];
        return (sender, certificate, chain, errors) =>
        {
            using var owned = new OwnedCertificates();
            X509Certificate2? leaf = owned.AsCertificate2(certificate);
            var presented = new List<X509Certificate2>();
            if (chain is not null)
            {
                foreach (X509ChainElement element in chain.ChainElements)
                {
                    presented.Add(element.Certificate);
                }

                foreach (X509Certificate2 extra in chain.ChainPolicy.ExtraStore)
                {
                    presented.Add(extra);
                }
            }

            CertificateCheckResult result = Verify(leaf, presented, records, names);
            PolicyTelemetry.RecordVerification(_telemetry, _logger, PolicyTelemetry.DanePolicy, result);
            observer?.Invoke(result);
            return result.IsAcceptable;
        };
    }

    /// <summary>
    /// The certificates that <paramref name="association"/> (DANE-TA) designates as anchor: those
    /// of the chain that match it, and for a Cert(0) Full(0) record the certificate it contains.
    /// </summary>
    private static IEnumerable<X509Certificate2> Anchors(TlsaAssociation association, List<X509Certificate2> chainCertificates)
    {
        bool any = false;
        foreach (X509Certificate2 certificate in chainCertificates)
        {
            if (DaneMatching.Matches(association, certificate))
            {
                any = true;
                yield return certificate;
            }
        }

        if (!any && association is { Selector: TlsaSelector.FullCertificate, MatchingType: TlsaMatchingType.Full })
        {
            X509Certificate2? published = null;
            try
            {
#if NET9_0_OR_GREATER
                published = X509CertificateLoader.LoadCertificate(association.Data.Span);
#else
                published = new X509Certificate2(association.Data.ToArray());
#endif
            }
            catch (CryptographicException)
            {
                // Not a certificate: the record matches nothing.
            }

            if (published is not null)
            {
                yield return published;
            }
        }
    }

    private CertificateCheckResult VerifyToAnchor(
        X509Certificate2 leaf,
        List<X509Certificate2> chainCertificates,
        X509Certificate2 anchor,
        TlsaAssociation association,
        IReadOnlyCollection<string> referenceIdentifiers)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(anchor);
        foreach (X509Certificate2 certificate in chainCertificates)
        {
            chain.ChainPolicy.ExtraStore.Add(certificate);
        }

        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = _timeProvider.GetUtcNow().UtcDateTime;
        chain.Build(leaf);

        int anchorIndex = -1;
        for (int i = 0; i < chain.ChainElements.Count; i++)
        {
            if (chain.ChainElements[i].Certificate.RawDataMemory.Span.SequenceEqual(anchor.RawDataMemory.Span))
            {
                anchorIndex = i;
                break;
            }
        }

        if (anchorIndex < 0)
        {
            return CertificateCheckResult.Fail(
                TlsRptResultType.CertificateNotTrusted,
                "dane-ta-no-path",
                "a certificate matches a DANE-TA(2) record but the leaf does not chain to it");
        }

        for (int i = 0; i <= anchorIndex; i++)
        {
            X509ChainStatusFlags flags = Flags(chain.ChainElements[i].ChainElementStatus) & ~IgnoredFlags;
            if (i == anchorIndex)
            {
                flags &= ~X509ChainStatusFlags.NotTimeValid;
            }

            if ((flags & X509ChainStatusFlags.NotTimeValid) != 0)
            {
                return CertificateCheckResult.Fail(
                    TlsRptResultType.CertificateExpired,
                    "dane-ta-expired",
                    $"certificate {i} of the chain below the DANE-TA(2) anchor is outside its validity period");
            }

            if (flags != X509ChainStatusFlags.NoError)
            {
                return CertificateCheckResult.Fail(
                    TlsRptResultType.ValidationFailure,
                    "dane-ta-chain-invalid",
                    $"the chain to the DANE-TA(2) anchor is invalid at certificate {i}: {flags}");
            }
        }

        if (!CertificateNames.AnyMatches(CertificateNames.PresentedNames(leaf, commonNameFallback: true), referenceIdentifiers))
        {
            return CertificateCheckResult.Fail(
                TlsRptResultType.CertificateHostMismatch,
                "dane-ta-name-mismatch",
                $"the leaf certificate chains to a DANE-TA(2) anchor but names none of the {referenceIdentifiers.Count} reference identifiers");
        }

        return new CertificateCheckResult(
            CertificateCheckStatus.Authenticated, null, "dane-ta", "the chain leads to a DANE-TA(2) anchor and the leaf names the host", association);
    }

    /// <summary>
    /// Statuses that say nothing about the path from the leaf to the anchor: the anchor need not be
    /// self-signed (partial chain, untrusted root above it), and revocation is deliberately unchecked.
    /// </summary>
    private const X509ChainStatusFlags IgnoredFlags =
        X509ChainStatusFlags.UntrustedRoot
        | X509ChainStatusFlags.PartialChain
        | X509ChainStatusFlags.RevocationStatusUnknown
        | X509ChainStatusFlags.OfflineRevocation
        | X509ChainStatusFlags.NotTimeNested;

    private static X509ChainStatusFlags Flags(X509ChainStatus[] statuses)
    {
        X509ChainStatusFlags flags = X509ChainStatusFlags.NoError;
        foreach (X509ChainStatus status in statuses)
        {
            flags |= status.Status;
        }

        return flags;
    }
}
