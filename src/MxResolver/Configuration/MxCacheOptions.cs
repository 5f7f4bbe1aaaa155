using MxResolver.Configuration;

namespace MxResolver;

/// <summary>
/// Settings of the DNS answer cache (R24–R28), the <see cref="MxResolverOptions.Cache"/> part of
/// <see cref="MxResolverOptions"/> (configuration section <c>MxResolver:Cache</c>). Answers are
/// cached per question (name, type), so the addresses of a provider's mail hosts are shared by
/// every domain that points at them.
/// </summary>
/// <remarks>
/// Rule numbers (R24–R28) refer to the behaviour rules in <c>docs/behaviour.md</c> of the
/// repository, which give the TTL rules these settings bound.
/// The cache reads these settings once, when it is built, and checks them against the same rules
/// as <see cref="MxResolverOptions"/> (see there): a value out of range is rejected, never clamped.
/// </remarks>
public sealed class MxCacheOptions
{
    /// <summary>The longest <see cref="FailureTtl"/> allowed: five minutes (RFC 2308 §7.1, RFC 9520 §3.2).</summary>
    public static readonly TimeSpan MaxFailureTtl = OptionsRules.MaxFailureTtl;

    /// <summary>Whether answers are cached at all. Default: <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The most answers held at once, one per (name, type) plus one per name that does not exist
    /// (R27); the least recently used are evicted beyond it. Between 1 and 10,000,000. Default: 10,000.
    /// </summary>
    public int MaxEntries { get; set; } = 10_000;

    /// <summary>
    /// The shortest time a positive answer is kept, whatever its TTL (R24); a TTL of zero is never
    /// raised (RFC 1035 §3.2.1). At most <see cref="MaximumTtl"/>. Default: zero.
    /// </summary>
    public TimeSpan MinimumTtl { get; set; } = TimeSpan.Zero;

    /// <summary>The longest time a positive answer is kept, whatever its TTL (R24). Default: one day.</summary>
    public TimeSpan MaximumTtl { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// The shortest time a negative answer (NXDOMAIN, NODATA) with an SOA record is kept (R25). At
    /// most <see cref="NegativeMaximumTtl"/>. Default: zero.
    /// </summary>
    public TimeSpan NegativeMinimumTtl { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// The longest time a negative answer is kept (R25), so that a newly created domain is found
    /// again soon. Default: one hour (RFC 2308 §5 suggests one to three hours).
    /// </summary>
    public TimeSpan NegativeMaximumTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a negative answer without an SOA record is kept (R25). At most
    /// <see cref="NegativeMaximumTtl"/>. Default: zero, not cached: RFC 2308 §5 gives such an answer no TTL.
    /// </summary>
    public TimeSpan NegativeTtlWithoutSoa { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// How long a failure (SERVFAIL, REFUSED, timeout, network error, CNAME loop) is remembered
    /// (R26), so that a dead zone is not hammered. Zero turns failure caching off; at most
    /// <see cref="MaxFailureTtl"/> (five minutes). Default: 5 seconds (the floor of RFC 9520 §3.2).
    /// </summary>
    public TimeSpan FailureTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether an expired answer may be served, marked <see cref="MxResolution.IsStale"/>, when
    /// every name server fails (RFC 8767; R28). Default: <see langword="false"/>.
    /// </summary>
    public bool ServeStale { get; set; }

    /// <summary>
    /// How long past its expiry an answer may still be served stale (R28). Positive, under 24 days. Default: one
    /// day (RFC 8767 §5 suggests one to three days).
    /// </summary>
    public TimeSpan MaxStaleAge { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// The TTL a stale answer is served with, and how long the servers are left alone before they
    /// are asked again (the failure recheck timer of RFC 8767 §4, §5). Positive, under 24 days; a
    /// value under one second is served as a TTL of zero. Default: 30 seconds.
    /// </summary>
    public TimeSpan StaleAnswerTtl { get; set; } = TimeSpan.FromSeconds(30);
}
