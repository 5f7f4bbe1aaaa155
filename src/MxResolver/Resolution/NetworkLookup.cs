using Microsoft.Extensions.Logging;
using MxResolver.Caching;
using MxResolver.Diagnostics;
using MxResolver.Dns;
using MxResolver.Lookup;
using MxResolver.Configuration;

namespace MxResolver.Resolution;

/// <summary>
/// Builds the network <see cref="IDnsLookup"/> from the settings: a <see cref="DnsLookup"/> over a
/// <see cref="DnsStubClient"/>, behind a <see cref="CachingDnsLookup"/> when
/// <see cref="MxCacheOptions.Enabled"/> (the default, with DI and with the public constructors alike).
/// </summary>
/// <summary>The lookup a resolver asks, and the answer cache in it when there is one.</summary>
/// <param name="Lookup">What the resolver asks: the cache when there is one, else the network lookup.</param>
/// <param name="AnswerCache">The DNS answer cache, or <see langword="null"/> when caching is off.</param>
internal sealed record DnsStack(IDnsLookup Lookup, CachingDnsLookup? AnswerCache);

internal static class NetworkLookup
{
    private static MxResolverTelemetry? s_sharedTelemetry;

    /// <summary>
    /// The telemetry of resolvers created without DI: one per process, so that every such resolver
    /// reports on the same <c>MxResolver</c> meter instead of creating one meter each.
    /// </summary>
    public static MxResolverTelemetry SharedTelemetry
        => LazyInitializer.EnsureInitialized(ref s_sharedTelemetry, static () => new MxResolverTelemetry());

    /// <summary>Creates the lookup, cached when <paramref name="cache"/> is enabled.</summary>
    /// <param name="settings">The validated resolver settings (name servers and timing).</param>
    /// <param name="cache">The cache settings; no cache when <see langword="null"/> or disabled.</param>
    /// <param name="timeProvider">The clock of timeouts, TTLs and durations.</param>
    /// <param name="telemetry">Where query durations and cache counters go.</param>
    /// <param name="clientLogger">Where the stub client logs failovers, discarded replies and truncation.</param>
    /// <param name="cacheLogger">Where the cache logs stale answers.</param>
    /// <exception cref="ArgumentException">The cache settings are inconsistent.</exception>
    /// <exception cref="InvalidOperationException">No name server is configured and the system names none.</exception>
    /// <returns>The lookup to ask, and the answer cache inside it (handed to the resolver for its flush API and its resolution cache).</returns>
    public static DnsStack Create(
        ResolverSettings settings,
        MxCacheOptions? cache,
        TimeProvider timeProvider,
        MxResolverTelemetry telemetry,
        ILogger? clientLogger,
        ILogger? cacheLogger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(telemetry);

        DnsCacheOptions? cacheOptions = null;
        if (cache is { Enabled: true })
        {
            // The DI layer validated these at start-up already; this guards direct use.
            List<string> failures = MxResolverOptionsConsistencyValidator.Check(new MxResolverOptions { Cache = cache });
            if (failures.Count > 0)
            {
                throw new ArgumentException(string.Join(" ", failures), nameof(cache));
            }

            cacheOptions = cache.ToDnsCacheOptions();
        }

        var options = new DnsStubClientOptions
        {
            AttemptTimeout = settings.QueryTimeout,
            AttemptsPerServer = settings.QueryAttempts,
            UseTcpOnly = settings.UseTcpOnly,
            TimeProvider = timeProvider,
            Logger = clientLogger,
        };
        foreach (var server in settings.NameServers)
        {
            options.NameServers.Add(server);
        }

        IDnsLookup lookup = new DnsLookup(new DnsStubClient(options), telemetry, timeProvider);
        if (cacheOptions is null)
        {
            return new DnsStack(lookup, AnswerCache: null);
        }

        var answerCache = new CachingDnsLookup(lookup, cacheOptions, timeProvider, telemetry, cacheLogger);
        return new DnsStack(answerCache, answerCache);
    }
}
