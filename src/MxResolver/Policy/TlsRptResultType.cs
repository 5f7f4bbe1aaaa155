namespace MxResolver;

/// <summary>
/// Why a TLS session failed, as a TLS-RPT <c>result-type</c> (RFC 8460 §4.3). The report JSON
/// uses the hyphenated names given on each member.
/// </summary>
public enum TlsRptResultType
{
    /// <summary><c>starttls-not-supported</c>: the receiving MX did not offer STARTTLS (RFC 8460 §4.3.1).</summary>
    StartTlsNotSupported,

    /// <summary><c>certificate-host-mismatch</c>: the certificate did not name the host (RFC 8460 §4.3.1).</summary>
    CertificateHostMismatch,

    /// <summary><c>certificate-expired</c>: the certificate has expired (RFC 8460 §4.3.1).</summary>
    CertificateExpired,

    /// <summary><c>certificate-not-trusted</c>: the certificate did not chain to a trusted anchor (RFC 8460 §4.3.1).</summary>
    CertificateNotTrusted,

    /// <summary><c>validation-failure</c>: any other validation failure (RFC 8460 §4.3.1).</summary>
    ValidationFailure,

    /// <summary><c>tlsa-invalid</c>: none of the TLSA records of the host was usable (RFC 8460 §4.3.2).</summary>
    TlsaInvalid,

    /// <summary><c>dnssec-invalid</c>: the TLSA or MX records failed DNSSEC validation (RFC 8460 §4.3.2).</summary>
    DnssecInvalid,

    /// <summary><c>dane-required</c>: the sender requires DANE but found no validated TLSA records (RFC 8460 §4.3.2).</summary>
    DaneRequired,

    /// <summary><c>sts-policy-fetch-error</c>: the MTA-STS policy could not be fetched (RFC 8460 §4.3.3).</summary>
    StsPolicyFetchError,

    /// <summary><c>sts-policy-invalid</c>: the MTA-STS policy was fetched but is not valid (RFC 8460 §4.3.3).</summary>
    StsPolicyInvalid,

    /// <summary><c>sts-webpki-invalid</c>: the HTTPS server of the MTA-STS policy failed certificate validation (RFC 8460 §4.3.3).</summary>
    StsWebPkiInvalid,
}
