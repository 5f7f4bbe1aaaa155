namespace MxResolver;

/// <summary>
/// Where mail for a domain goes and how safely it may go there: the resolution, each target's TLS
/// requirement (DANE, MTA-STS, or opportunistic), the domain's MTA-STS policy and TLS-RPT record.
/// </summary>
/// <remarks>Rules R29 and later of <c>docs/behaviour.md</c> in the repository describe how the requirements are decided.</remarks>
public sealed class MxSecureResolution
{
    internal MxSecureResolution(
        MxResolution resolution,
        IReadOnlyList<MxSecureTarget> targets,
        IReadOnlyList<MxSecureTarget> droppedByPolicy,
        MtaStsStoredPolicy? mtaStsPolicy,
        bool mtaStsFetched,
        TlsRptResultType? mtaStsFailure,
        string? mtaStsError,
        TlsRptRecord? tlsRpt)
    {
        Resolution = resolution;
        Targets = targets;
        DroppedByPolicy = droppedByPolicy;
        MtaStsPolicy = mtaStsPolicy;
        MtaStsFetched = mtaStsFetched;
        MtaStsFailure = mtaStsFailure;
        MtaStsError = mtaStsError;
        TlsRpt = tlsRpt;
    }

    /// <summary>The resolution the requirements apply to.</summary>
    public MxResolution Resolution { get; }

    /// <summary>The targets in attempt order with their requirements; targets an MTA-STS <c>enforce</c> policy rules out are not here.</summary>
    public IReadOnlyList<MxSecureTarget> Targets { get; }

    /// <summary>Targets an MTA-STS <c>enforce</c> policy rules out: their host matches none of its <c>mx</c> patterns (RFC 8461 §4.1).</summary>
    public IReadOnlyList<MxSecureTarget> DroppedByPolicy { get; }

    /// <summary>Whether the MX RRset was DNSSEC-secure (<see cref="MxResolution.IsMxSecure"/>).</summary>
    public bool IsMxSecure => Resolution.IsMxSecure;

    /// <summary>The MTA-STS policy in force for the domain, with its id and fetch time; <see langword="null"/> when none.</summary>
    public MtaStsStoredPolicy? MtaStsPolicy { get; }

    /// <summary>Whether the policy was fetched over HTTPS for this call (otherwise it came from the policy store).</summary>
    public bool MtaStsFetched { get; }

    /// <summary>A failure met while discovering or fetching the policy (RFC 8460 result type), also when a stored policy was used instead.</summary>
    public TlsRptResultType? MtaStsFailure { get; }

    /// <summary>Why the policy could not be fetched, worded for a log.</summary>
    public string? MtaStsError { get; }

    /// <summary>The domain's TLS-RPT record (<c>_smtp._tls</c>, RFC 8460 §3); <see langword="null"/> when none or not looked up.</summary>
    public TlsRptRecord? TlsRpt { get; }

    /// <summary>Whether some target may be attempted now; when not, the message should wait and be retried (a temporary condition).</summary>
    public bool CanDeliver => Targets.Any(target => target.CanAttempt);
}
