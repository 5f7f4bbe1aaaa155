using Microsoft.Extensions.Logging;
using MxResolver.Caching;
using MxResolver.Diagnostics;
using MxResolver.Configuration;
using MxResolver.Dns;
using MxResolver.Lookup;

namespace MxResolver.Resolution;

/// <summary>The lookup a resolver asks, and the answer cache in it when there is one.</summary>
/// <param name="Lookup">What the resolver asks: the cache when there is one, else the network lookup.</param>
/// <param name="AnswerCache">The DNS answer cache, or <see langword="null"/> when caching is off.</param>
internal sealed record DnsStack(IDnsLookup Lookup, CachingDnsLookup? AnswerCache)
{
    /// <summary>The stub client at the bottom, whose pooled TCP and TLS connections the owner of the stack closes.</summary>
    public DnsStubClient? Client { get; init; }
}

/// <summary>
/// Builds the network <see cref="IDnsLookup"/> from the settings: a <see cref="DnsLookup"/> over a
/// <see cref="DnsStubClient"/>, behind a <see cref="CachingDnsLookup"/> when
/// <see cref="MxCacheOptions.Enabled"/> (the default, with DI and with the public constructors alike).
/// </summary>
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
    /// <param name="loggerFactory">Gives the stub client (failovers, discarded replies, truncation) and the cache (stale answers) their loggers.</param>
    /// <exception cref="ArgumentException">A cache setting breaks a rule of <see cref="OptionsRules.Cache"/>.</exception>
    /// <exception cref="InvalidOperationException">No name server is configured and the system names none.</exception>
    /// <returns>The lookup to ask, and the answer cache inside it (handed to the resolver for its flush API and its resolution cache).</returns>
    public static DnsStack Create(
        ResolverSettings settings,
        MxCacheOptions? cache,
        TimeProvider timeProvider,
        MxResolverTelemetry telemetry,
        ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(telemetry);
        ArgumentNullException.ThrowIfNull(loggerFactory);

        var options = new DnsStubClientOptions
        {
            AttemptTimeout = settings.QueryTimeout,
            AttemptsPerServer = settings.QueryAttempts,
            UseTcpOnly = settings.UseTcpOnly,
            TrustLoopbackAuthenticatedData = settings.TrustLoopbackAuthenticatedData,
            TrustedAuthenticatedDataServers = [.. settings.TrustedAuthenticatedDataServers],
            TimeProvider = timeProvider,
            Logger = loggerFactory.CreateLogger<DnsStubClient>(),
        };
        foreach (var server in settings.NameServers)
        {
            options.NameServerEntries.Add(server);
        }

        var client = new DnsStubClient(options);
        IDnsLookup lookup = new DnsLookup(client, telemetry, timeProvider);
        if (cache is not { Enabled: true })
        {
            return new DnsStack(lookup, AnswerCache: null) { Client = client };
        }

        // The cache checks its settings against the same rules as every other path.
        var answerCache = new CachingDnsLookup(lookup, cache, timeProvider, telemetry, loggerFactory.CreateLogger<CachingDnsLookup>());
        return new DnsStack(answerCache, answerCache) { Client = client };
    }
}
