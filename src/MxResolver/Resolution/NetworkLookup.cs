using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MxResolver.Caching;
using MxResolver.DependencyInjection;
using MxResolver.Diagnostics;
using MxResolver.Dns;
using MxResolver.Lookup;

namespace MxResolver.Resolution;

/// <summary>
/// Builds the network <see cref="IDnsLookup"/> chain from the settings: a <see cref="DnsLookup"/>
/// over a <see cref="DnsStubClient"/>, behind a <see cref="CachingDnsLookup"/> when the cache is on.
/// Used by the public constructors of <see cref="MailExchangeResolver"/> and by the DI layer.
/// </summary>
internal static class NetworkLookup
{
    private static MxResolverTelemetry? s_sharedTelemetry;

    /// <summary>
    /// The telemetry of resolvers created without DI: one per process, so that every such resolver
    /// reports on the same <c>MxResolver</c> meter instead of one meter each.
    /// </summary>
    public static MxResolverTelemetry SharedTelemetry
        => LazyInitializer.EnsureInitialized(ref s_sharedTelemetry, static () => new MxResolverTelemetry());

    /// <summary>Creates the chain.</summary>
    /// <param name="settings">The validated resolver settings (name servers and timing).</param>
    /// <param name="cache">The cache settings; no cache when <see langword="null"/> or disabled.</param>
    /// <param name="timeProvider">The clock of timeouts, TTLs and durations.</param>
    /// <param name="telemetry">Where metrics go.</param>
    /// <param name="logger">Where the stub client and the cache log.</param>
    /// <exception cref="ArgumentException">The cache settings are inconsistent.</exception>
    /// <exception cref="InvalidOperationException">No name server is configured and the system names none.</exception>
    public static IDnsLookup Create(ResolverSettings settings, MxCacheOptions? cache, TimeProvider timeProvider, MxResolverTelemetry telemetry, ILogger? logger)
        => Create(settings, cache, timeProvider, telemetry, logger, logger);

    /// <summary>Creates the chain, with one logger for the stub client and one for the cache.</summary>
    public static IDnsLookup Create(
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
            // The DI layer has validated these at start-up already; direct construction has not.
            var probe = new MxResolverOptions { Cache = cache };
            List<string> failures = MxResolverOptionsConsistencyValidator.Check(probe);
            if (failures.Count > 0)
            {
                throw new ArgumentException(string.Join(" ", failures), nameof(cache));
            }

            cacheOptions = cache.ToDnsCacheOptions();
        }

        var clientOptions = new DnsStubClientOptions
        {
            AttemptTimeout = settings.QueryTimeout,
            AttemptsPerServer = settings.QueryAttempts,
            UseTcpOnly = settings.UseTcpOnly,
            TimeProvider = timeProvider,
            Logger = clientLogger ?? NullLogger.Instance,
        };
        foreach (System.Net.IPEndPoint server in settings.NameServers)
        {
            clientOptions.NameServers.Add(server);
        }

        IDnsLookup lookup = new DnsLookup(new DnsStubClient(clientOptions), telemetry, timeProvider);
        return cacheOptions is null ? lookup : new CachingDnsLookup(lookup, cacheOptions, timeProvider, telemetry, cacheLogger);
    }
}
