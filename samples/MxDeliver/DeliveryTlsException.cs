using MxResolver;

namespace MxDeliver;

/// <summary>
/// An attempt that a TLS requirement stopped before any mail command: the server offered no
/// STARTTLS, its certificate failed the DANE or MTA-STS check, or the TLS handshake failed. The
/// message was not sent to that server. Another exchanger of the domain may do better, so
/// <see cref="SmtpDelivery.IsRetryable"/> moves on. The fields are what a TLS-RPT failure detail
/// records (RFC 8460 §4.3); <see cref="Exception.Message"/> names no host, address or certificate data.
/// </summary>
internal sealed class DeliveryTlsException : Exception
{
    private DeliveryTlsException(
        TlsRequirement requirement, TlsRptResultType resultType, string reasonCode, string reason, CertificateCheckResult? check = null, Exception? inner = null)
        : base($"TLS required ({requirement}), message not sent to this host: {reasonCode}: {reason}", inner)
    {
        Requirement = requirement;
        ResultType = resultType;
        ReasonCode = reasonCode;
        Reason = reason;
        CertificateCheck = check;
    }

    /// <summary>The requirement that was not met.</summary>
    public TlsRequirement Requirement { get; }

    /// <summary>The TLS-RPT result type (RFC 8460 §4.3).</summary>
    public TlsRptResultType ResultType { get; }

    /// <summary>A short fixed code, usable as a TLS-RPT <c>failure-reason-code</c>.</summary>
    public string ReasonCode { get; }

    /// <summary>A one-line explanation; names no host, address or certificate data.</summary>
    public string Reason { get; }

    /// <summary>The verifier's result when it rejected the certificate; otherwise <see langword="null"/>.</summary>
    public CertificateCheckResult? CertificateCheck { get; }

    /// <summary>The server's EHLO reply listed no STARTTLS (RFC 3207 §4; RFC 8460 <c>starttls-not-supported</c>).</summary>
    internal static DeliveryTlsException StartTlsNotOffered(TlsRequirement requirement, Exception inner) =>
        new(requirement, TlsRptResultType.StartTlsNotSupported, "starttls-not-supported", "the server does not offer STARTTLS", inner: inner);

    /// <summary>
    /// The handshake failed: with the verifier's failed result when it rejected the certificate,
    /// otherwise as a <c>validation-failure</c> (a protocol or cipher mismatch, a reset mid-handshake).
    /// </summary>
    internal static DeliveryTlsException HandshakeFailed(TlsRequirement requirement, CertificateCheckResult? check, Exception inner) =>
        check is { IsAcceptable: false } failed
            ? new(requirement, failed.ResultType ?? TlsRptResultType.ValidationFailure, failed.ReasonCode, failed.Reason, failed, inner)
            : new(requirement, TlsRptResultType.ValidationFailure, "tls-handshake-failed", "the TLS handshake failed", inner: inner);

    /// <summary>The session ended up unencrypted although TLS was required: a safeguard that should never fire.</summary>
    internal static DeliveryTlsException NotEncrypted(TlsRequirement requirement) =>
        new(requirement, TlsRptResultType.ValidationFailure, "tls-not-established", "the session is not encrypted");
}
