using MxResolver.Policy;

namespace MxResolver;

/// <summary>The outcome class of a server certificate check (RFC 7672 §2.2, §3.1; RFC 8461 §4.2).</summary>
public enum CertificateCheckStatus
{
    /// <summary>The certificate is authenticated by the policy: deliver.</summary>
    Authenticated,

    /// <summary>
    /// DANE only: the host has TLSA records but none is usable (RFC 7672 §2.2, §3.1), so the
    /// session must use TLS but cannot be authenticated; it may proceed, and the sender reports
    /// <c>tlsa-invalid</c> (RFC 8460 §4.3.2).
    /// </summary>
    Unauthenticated,

    /// <summary>The certificate fails the policy: do not deliver to this host under an enforced policy.</summary>
    Failed,
}

/// <summary>
/// The result of checking a server certificate against a DANE or MTA-STS requirement: whether it
/// passed, and if not, the TLS-RPT result type (RFC 8460 §4.3), a short reason code for
/// <c>failure-reason-code</c> and a sentence for a log. The texts name no hosts, addresses or
/// certificate contents. Immutable.
/// </summary>
public sealed class CertificateCheckResult
{
    internal CertificateCheckResult(CertificateCheckStatus status, TlsRptResultType? resultType, string reasonCode, string reason, TlsaAssociation? matched = null)
    {
        Status = status;
        ResultType = resultType;
        ReasonCode = reasonCode;
        Reason = reason;
        MatchedAssociation = matched;
    }

    /// <summary>The outcome class.</summary>
    public CertificateCheckStatus Status { get; }

    /// <summary>Whether the session may proceed: <see cref="CertificateCheckStatus.Authenticated"/> or <see cref="CertificateCheckStatus.Unauthenticated"/>.</summary>
    public bool IsAcceptable => Status != CertificateCheckStatus.Failed;

    /// <summary>
    /// The TLS-RPT result type to record (RFC 8460 §4.3): set when <see cref="Status"/> is
    /// <see cref="CertificateCheckStatus.Failed"/>, and <see cref="TlsRptResultType.TlsaInvalid"/>
    /// when it is <see cref="CertificateCheckStatus.Unauthenticated"/>; <see langword="null"/> on success.
    /// </summary>
    public TlsRptResultType? ResultType { get; }

    /// <summary>A short fixed code for the outcome (e.g. <c>dane-ta-name-mismatch</c>), usable as a TLS-RPT <c>failure-reason-code</c>.</summary>
    public string ReasonCode { get; }

    /// <summary>A one-line explanation for a log; contains no names, addresses or certificate data.</summary>
    public string Reason { get; }

    /// <summary>The TLSA association that authenticated the certificate, under DANE; otherwise <see langword="null"/>.</summary>
    public TlsaAssociation? MatchedAssociation { get; }

    /// <summary>A one-line form: status, result type and reason.</summary>
    public override string ToString() =>
        ResultType is { } type ? $"{Status} ({TlsRptNames.Of(type)}): {Reason}" : $"{Status}: {Reason}";

    internal static CertificateCheckResult Fail(TlsRptResultType type, string code, string reason) =>
        new(CertificateCheckStatus.Failed, type, code, reason);
}
