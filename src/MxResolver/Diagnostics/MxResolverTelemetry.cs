using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MxResolver.Diagnostics;

/// <summary>
/// The library's metrics and traces: one <see cref="Meter"/> and one <see cref="ActivitySource"/>,
/// both named <see cref="Name"/>. Every component takes the same instance; with DI it is a
/// singleton whose meter comes from the app's <see cref="IMeterFactory"/> when one is registered.
/// </summary>
/// <remarks>
/// Instrument names follow the OpenTelemetry semantic conventions where one exists
/// (<c>dns.lookup.duration</c>, attributes <c>dns.question.name</c> and <c>error.type</c>); the
/// rest live under the <c>mxresolver.</c> prefix.
/// </remarks>
internal sealed class MxResolverTelemetry : IDisposable
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string Name = "MxResolver";

    private readonly bool _ownsMeter;

    public MxResolverTelemetry(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        Meter = meterFactory?.Create(Name) ?? new Meter(Name);

        LookupDuration = CreateLookupDuration(Meter);
        CacheHits = Meter.CreateCounter<long>("mxresolver.cache.hits", unit: "{lookup}", description: "DNS lookups answered from the cache.");
        CacheMisses = Meter.CreateCounter<long>("mxresolver.cache.misses", unit: "{lookup}", description: "DNS lookups that went to the name servers.");
        CacheEvictions = Meter.CreateCounter<long>("mxresolver.cache.evictions", unit: "{entry}", description: "Cache entries evicted to keep the cache within its size bound.");
        StaleAnswers = Meter.CreateCounter<long>("mxresolver.cache.stale_served", unit: "{lookup}", description: "Expired answers served because every name server failed (RFC 8767).");
        Resolutions = Meter.CreateCounter<long>("mxresolver.resolutions", unit: "{resolution}", description: "MX resolutions, by status.");
        ConnectionAttempts = Meter.CreateCounter<long>("mxresolver.connect.attempts", unit: "{attempt}", description: "Connection attempts to mail exchange addresses, by outcome.");
        Failovers = Meter.CreateCounter<long>("mxresolver.connect.failovers", unit: "{failover}", description: "Moves from a failed address to the next one.");
        TimeToConnect = Meter.CreateHistogram<double>("mxresolver.connect.duration", unit: "s", description: "Time from the start of a connect to the first successful connection.");
        SecureCacheHits = Meter.CreateCounter<long>("mxresolver.security.cache.hits", unit: "{resolution}", description: "Secure resolutions answered whole from the security resolver's cache.");
        SecureCacheMisses = Meter.CreateCounter<long>("mxresolver.security.cache.misses", unit: "{resolution}", description: "Secure resolutions that looked up their policies (from the DNS and policy caches or the network).");
        PolicyLookups = Meter.CreateCounter<long>("mxresolver.mta_sts.policy_lookups", unit: "{lookup}", description: "MTA-STS policy decisions, by where the policy in force came from.");
        PolicyFetches = Meter.CreateCounter<long>("mxresolver.mta_sts.fetches", unit: "{fetch}", description: "MTA-STS policy fetches over HTTPS, by result.");
        PolicyFetchDuration = Meter.CreateHistogram<double>("mxresolver.mta_sts.fetch.duration", unit: "s", description: "Duration of MTA-STS policy fetches over HTTPS.");
        DaneOutcomes = Meter.CreateCounter<long>("mxresolver.dane.targets", unit: "{target}", description: "Targets of secure resolutions, by DANE status.");
        Verifications = Meter.CreateCounter<long>("mxresolver.tls.verifications", unit: "{verification}", description: "Server certificate checks under DANE or MTA-STS, by policy and result.");
    }

    /// <summary>
    /// The activity source for spans: one per resolution, per secure resolution, per DNS query, per
    /// MTA-STS policy fetch, per certificate check and per connection attempt.
    /// </summary>
    public static ActivitySource ActivitySource { get; } = new(Name);

    public Meter Meter { get; }

    public Histogram<double> LookupDuration { get; }

    public Counter<long> CacheHits { get; }

    public Counter<long> CacheMisses { get; }

    public Counter<long> CacheEvictions { get; }

    public Counter<long> StaleAnswers { get; }

    public Counter<long> Resolutions { get; }

    public Counter<long> ConnectionAttempts { get; }

    public Counter<long> Failovers { get; }

    public Histogram<double> TimeToConnect { get; }

    public Counter<long> SecureCacheHits { get; }

    public Counter<long> SecureCacheMisses { get; }

    public Counter<long> PolicyLookups { get; }

    public Counter<long> PolicyFetches { get; }

    public Histogram<double> PolicyFetchDuration { get; }

    public Counter<long> DaneOutcomes { get; }

    public Counter<long> Verifications { get; }

    private static Histogram<double> CreateLookupDuration(Meter meter)
    {
        const string InstrumentName = "dns.lookup.duration";
        const string Description = "Duration of DNS queries sent to name servers, by question name and error type.";
#if NET9_0_OR_GREATER
        // The bucket boundaries the OpenTelemetry DNS semantic convention asks for.
        var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] };
        return meter.CreateHistogram(InstrumentName, unit: "s", description: Description, tags: null, advice: advice);
#else
        return meter.CreateHistogram<double>(InstrumentName, unit: "s", description: Description);
#endif
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }
}
