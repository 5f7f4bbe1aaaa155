namespace MxResolver;

/// <summary>The <c>policy-type</c> of a TLS-RPT report entry (RFC 8460 §4.3).</summary>
public enum TlsRptPolicyType
{
    /// <summary><c>tlsa</c>: a DANE TLSA policy (RFC 7672) applied.</summary>
    Tlsa,

    /// <summary><c>sts</c>: an MTA-STS policy (RFC 8461) applied.</summary>
    Sts,

    /// <summary><c>no-policy-found</c>: neither applied; the sessions used opportunistic TLS.</summary>
    NoPolicyFound,
}
