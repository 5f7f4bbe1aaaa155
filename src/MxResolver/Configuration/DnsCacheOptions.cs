namespace MxResolver.Configuration;

/// <summary>
/// Limits of the DNS answer cache (R24–R28). Immutable; the dependency-injection layer maps the
/// public resolver options onto it and validates them at start-up.
/// </summary>
internal sealed record DnsCacheOptions
{
    /// <summary>The longest a server failure may be cached: RFC 2308 §7.1 and RFC 9520 §3.2 forbid more than five minutes.</summary>
    public static readonly TimeSpan MaxFailureTtl = TimeSpan.FromMinutes(5);

    /// <summary>The defaults described on each property.</summary>
    public static DnsCacheOptions Default { get; } = new();

    /// <summary>
    /// The most answers held at once, counting one per (name, type) plus one per cached NXDOMAIN
    /// name (R27); the resolution cache above holds at most as many resolutions. Default 10,000.
    /// When a new entry would exceed it, one is evicted (see <c>CachingDnsLookup</c> for
    /// the policy).
    /// </summary>
    public int MaxEntries { get; init; } = 10_000;

    /// <summary>
    /// The shortest time a positive answer is kept, whatever its TTL (R24). Default zero. A TTL of
    /// zero is never raised: such an answer serves the current resolution only (RFC 1035 §3.2.1).
    /// </summary>
    public TimeSpan MinimumTtl { get; init; } = TimeSpan.Zero;

    /// <summary>The longest time a positive answer is kept, whatever its TTL (R24). Default one day.</summary>
    public TimeSpan MaximumTtl { get; init; } = TimeSpan.FromDays(1);

    /// <summary>The shortest time a negative answer with an SOA is kept (R25). Default zero.</summary>
    public TimeSpan NegativeMinimumTtl { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// The longest time a negative answer is kept (R25). Default one hour, within the one to three
    /// hours RFC 2308 §5 suggests, so that a newly created domain is found again soon.
    /// </summary>
    public TimeSpan NegativeMaximumTtl { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a negative answer without an SOA record is kept (R25). Default zero: not cached,
    /// because RFC 2308 §5 gives such an answer no TTL.
    /// </summary>
    public TimeSpan NegativeTtlWithoutSoa { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// How long a failure (SERVFAIL, REFUSED, timeout, network error, CNAME loop) is kept (R26).
    /// Default five seconds, the floor RFC 9520 §3.2 asks for so that a dead zone is not hammered;
    /// zero turns failure caching off. Values over <see cref="MaxFailureTtl"/> are treated as
    /// <see cref="MaxFailureTtl"/>.
    /// </summary>
    public TimeSpan FailureTtl { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether an expired answer may be served when every server fails (RFC 8767; R28). Default
    /// <see langword="false"/>.
    /// </summary>
    public bool ServeStale { get; init; }

    /// <summary>
    /// How long past its expiry an answer may still be served stale (R28). Default one day; RFC
    /// 8767 §5 suggests one to three days.
    /// </summary>
    public TimeSpan MaxStaleAge { get; init; } = TimeSpan.FromDays(1);

    /// <summary>
    /// The TTL given to a stale answer, and how long the cache keeps serving it before asking the
    /// servers again (RFC 8767 §4 and §5: 30 seconds recommended, the "failure recheck timer").
    /// Default 30 seconds.
    /// </summary>
    public TimeSpan StaleAnswerTtl { get; init; } = TimeSpan.FromSeconds(30);
}
