namespace MxResolver;

/// <summary>The outcome of an MX resolution. The enhanced status codes are those of RFC 3463.</summary>
public enum MxResolutionStatus
{
    /// <summary>The domain publishes MX records and at least one target has a usable address.</summary>
    Success = 0,

    /// <summary>
    /// The domain has no MX records but has addresses: the domain itself is the single target,
    /// preference 0 (the implicit MX of RFC 5321 §5.1).
    /// </summary>
    ImplicitMx = 1,

    /// <summary>The domain publishes a null MX (RFC 7505): it accepts no mail. Permanent, 5.1.10.</summary>
    NullMx = 2,

    /// <summary>The domain does not exist (NXDOMAIN). Permanent, 5.1.2.</summary>
    NoSuchDomain = 3,

    /// <summary>The domain exists but has neither MX nor address records. Permanent, 5.1.2.</summary>
    NoMailHost = 4,

    /// <summary>
    /// No target is usable: every exchange is invalid, does not exist, has no address, or has only
    /// filtered addresses, and no lookup failed temporarily. Permanent, 5.4.4.
    /// </summary>
    NoUsableTarget = 5,

    /// <summary>
    /// This host (a configured local name or address) is the best mail exchanger, so delivering
    /// would loop (RFC 5321 §5.1). Permanent, 5.4.6.
    /// </summary>
    LoopsToSelf = 6,

    /// <summary>
    /// DNS gave no final answer (SERVFAIL, REFUSED, timeout, network error, malformed reply, a
    /// CNAME loop, or the resolution deadline passed). The message must be queued and retried
    /// (RFC 5321 §5.1). Temporary, 4.4.3.
    /// </summary>
    TemporaryFailure = 7,

    /// <summary>
    /// The input is not a valid domain, email address or address literal; no DNS query was made.
    /// Permanent, 5.1.3 (bad destination address syntax).
    /// </summary>
    InvalidInput = 8,
}
