namespace MxResolver.Policy;

/// <summary>The wire names of the TLS-RPT enumerations (RFC 8460 §4.3).</summary>
internal static class TlsRptNames
{
    public static string Of(TlsRptResultType type) => type switch
    {
        TlsRptResultType.StartTlsNotSupported => "starttls-not-supported",
        TlsRptResultType.CertificateHostMismatch => "certificate-host-mismatch",
        TlsRptResultType.CertificateExpired => "certificate-expired",
        TlsRptResultType.CertificateNotTrusted => "certificate-not-trusted",
        TlsRptResultType.ValidationFailure => "validation-failure",
        TlsRptResultType.TlsaInvalid => "tlsa-invalid",
        TlsRptResultType.DnssecInvalid => "dnssec-invalid",
        TlsRptResultType.DaneRequired => "dane-required",
        TlsRptResultType.StsPolicyFetchError => "sts-policy-fetch-error",
        TlsRptResultType.StsPolicyInvalid => "sts-policy-invalid",
        TlsRptResultType.StsWebPkiInvalid => "sts-webpki-invalid",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a TLS-RPT result type."),
    };

    public static string Of(TlsRptPolicyType type) => type switch
    {
        TlsRptPolicyType.Tlsa => "tlsa",
        TlsRptPolicyType.Sts => "sts",
        TlsRptPolicyType.NoPolicyFound => "no-policy-found",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a TLS-RPT policy type."),
    };

    public static bool IsDefined(TlsRptResultType type) => type is >= TlsRptResultType.StartTlsNotSupported and <= TlsRptResultType.StsWebPkiInvalid;

    public static bool IsDefined(TlsRptPolicyType type) => type is >= TlsRptPolicyType.Tlsa and <= TlsRptPolicyType.NoPolicyFound;
}
