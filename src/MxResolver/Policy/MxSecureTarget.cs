namespace MxResolver;

/// <summary>How a sender must use TLS with one MX target.</summary>
public enum MxTlsRequirement
{
    /// <summary>
    /// No DANE or MTA-STS policy applies: use STARTTLS when the server offers it, without verifying
    /// its certificate, and deliver in plaintext when it does not (opportunistic TLS, RFC 7435).
    /// </summary>
    Opportunistic = 0,

    /// <summary>
    /// TLS is mandatory but the certificate is not authenticated: the host published TLSA records in
    /// a signed zone, none of them usable for SMTP (RFC 7672 §2.2 and §3.1.3). Never plaintext.
    /// </summary>
    MandatoryUnauthenticated = 1,

    /// <summary>
    /// TLS is mandatory and the certificate must match the host's TLSA records (DANE, RFC 7672 §3):
    /// verify with <see cref="DaneVerifier"/>. Never plaintext.
    /// </summary>
    Dane = 2,

    /// <summary>
    /// The domain's MTA-STS policy is in <c>enforce</c> mode: TLS is mandatory and the certificate must
    /// be PKIX-valid and name the MX host (RFC 8461 §4.2): verify with
    /// <see cref="MtaStsCertificateValidator"/>. Never plaintext.
    /// </summary>
    MtaSts = 3,
}

/// <summary>What the TLSA lookup of one target found (RFC 7672 §2.2).</summary>
public enum DaneStatus
{
    /// <summary>DANE does not apply: the host's address records are not DNSSEC-secure, so no TLSA lookup was made, or DANE is off.</summary>
    NotApplicable = 0,

    /// <summary>The signed zone says there are no TLSA records (secure NODATA or NXDOMAIN), or the answer was not secure: no DANE for this host.</summary>
    NoRecords = 1,

    /// <summary>Secure TLSA records, at least one usable for SMTP: DANE is required.</summary>
    Usable = 2,

    /// <summary>Secure TLSA records, none usable for SMTP: TLS is mandatory, authentication is not required.</summary>
    Unusable = 3,

    /// <summary>
    /// The TLSA lookup failed (SERVFAIL, a bogus answer, a timeout): the target is not attempted now. A
    /// temporary condition; never a reason to fall back to plaintext.
    /// </summary>
    LookupFailed = 4,
}

/// <summary>
/// One MX target with what a sender must do to deliver to it safely: its TLS requirement, its DANE
/// state and TLSA records, the names a certificate must carry, and whether it may be attempted now.
/// </summary>
public sealed class MxSecureTarget
{
    internal MxSecureTarget(
        MxTarget target,
        MxTlsRequirement requirement,
        DaneStatus dane,
        IReadOnlyList<TlsaAssociation> tlsaRecords,
        string? tlsaName,
        IReadOnlyList<string> referenceIdentifiers,
        bool? matchesMtaStsPolicy,
        string? skipReason,
        TlsRptResultType? failure)
    {
        Target = target;
        Requirement = requirement;
        Dane = dane;
        TlsaRecords = tlsaRecords;
        TlsaName = tlsaName;
        ReferenceIdentifiers = referenceIdentifiers;
        MatchesMtaStsPolicy = matchesMtaStsPolicy;
        SkipReason = skipReason;
        Failure = failure;
    }

    /// <summary>The target as resolution ordered it: host, preference, addresses.</summary>
    public MxTarget Target { get; }

    /// <summary>How TLS must be used with this target.</summary>
    public MxTlsRequirement Requirement { get; }

    /// <summary>What the TLSA lookup found.</summary>
    public DaneStatus Dane { get; }

    /// <summary>The TLSA records found (secure answers only), usable or not; empty otherwise.</summary>
    public IReadOnlyList<TlsaAssociation> TlsaRecords { get; }

    /// <summary>The name the TLSA records were found at (<c>_25._tcp.&lt;host&gt;</c>, after CNAME expansion), when any were.</summary>
    public string? TlsaName { get; }

    /// <summary>
    /// The names the server certificate must carry: under <see cref="MxTlsRequirement.Dane"/> the DANE-TA
    /// reference identifiers (RFC 7672 §3.2.2), under <see cref="MxTlsRequirement.MtaSts"/> the MX host
    /// (RFC 8461 §4.2); empty when names are not checked.
    /// </summary>
    public IReadOnlyList<string> ReferenceIdentifiers { get; }

    /// <summary>
    /// Whether the host matches the domain's MTA-STS <c>mx</c> patterns; <see langword="null"/> when the
    /// domain has no policy in force. In <c>testing</c> mode a mismatch is reported here and nothing else changes.
    /// </summary>
    public bool? MatchesMtaStsPolicy { get; }

    /// <summary>Whether the target may be attempted now: <see langword="false"/> when its TLSA lookup failed (RFC 7672 §2.2).</summary>
    public bool CanAttempt => SkipReason is null;

    /// <summary>Why the target is not to be attempted now, worded for a log; <see langword="null"/> when it may be.</summary>
    public string? SkipReason { get; }

    /// <summary>The TLS-RPT result type (RFC 8460 §4.3) of a policy failure met for this target, for a report.</summary>
    public TlsRptResultType? Failure { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Target} {Requirement}" + (CanAttempt ? string.Empty : " (skipped: " + SkipReason + ")");
}
