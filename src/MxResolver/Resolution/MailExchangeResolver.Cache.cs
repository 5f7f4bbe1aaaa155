using System.Diagnostics.CodeAnalysis;
using MxResolver.Caching;
using MxResolver.Diagnostics;
using MxResolver.Lookup;
using MxResolver.Resolution;
using MxResolver.Input;

namespace MxResolver;

/// <summary>The resolution cache of the resolver and its flush API (R24–R28), and its disposal.</summary>
public sealed partial class MailExchangeResolver : IMxResolverCache, IDisposable, IAsyncDisposable
{
    // The stub client the resolver made (public constructors, dependency injection); null when it
    // was handed a lookup. Its pooled TCP and TLS connections are closed on disposal.
    private readonly DnsStubClient? _client;
    private int _disposed;

    private bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>
    /// Closes the pooled TCP and TLS connections to the name servers (<c>tcp://</c>, <c>tls://</c>
    /// entries; UDP holds nothing between queries) and waits for them to end. Later calls of
    /// <see cref="ResolveAsync"/> throw <see cref="ObjectDisposedException"/>; resolutions under way
    /// over a pooled connection end as temporary failures. With dependency injection the container
    /// disposes the resolver.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _client is not null)
        {
            await _client.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Closes the pooled connections like <see cref="DisposeAsync"/>, blocking until they end; prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _client?.Dispose();
        }
    }

    // Both present when the resolver was handed a DNS answer cache: whole resolutions are then kept
    // as long as the DNS answers they were built from (see ResolutionCache).
    private readonly CachingDnsLookup? _answerCache;
    private readonly ResolutionCache? _resolutionCache;

    /// <summary>The lookup the resolver asks, cached when it has a cache; the policy layer asks its questions through it too.</summary>
    internal IDnsLookup Lookup => _lookup;

    /// <summary>The clock of the resolver's timeouts and cache lifetimes.</summary>
    internal TimeProvider TimeProvider => _timeProvider;

    /// <summary>How many whole resolutions the resolver keeps; 0 when it has no cache.</summary>
    internal int ResolutionCacheCapacity => _answerCache?.MaxEntries ?? 0;

    /// <inheritdoc />
    public bool Remove(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        MxInput input = MxInputParser.ParseDomain(domain, domain);
        if (input.Kind != MxInputKind.Domain)
        {
            throw new ArgumentException(input.Error, nameof(domain));
        }

        if (_answerCache is not { } dnsCache || _resolutionCache is null)
        {
            return false;
        }

        string name = input.AsciiDomain!;
        int resolutions = _resolutionCache.Remove(name);
        int answers = dnsCache.Remove(name + ".");
        CacheLog.NameRemoved(_logger, name, answers, resolutions);
        return resolutions + answers > 0;
    }

    /// <inheritdoc />
    public void Clear()
    {
        if (_answerCache is not { } dnsCache || _resolutionCache is null)
        {
            return;
        }

        int resolutions = _resolutionCache.Clear();
        int answers = dnsCache.Clear();
        CacheLog.CacheCleared(_logger, answers, resolutions);
    }


    private bool TryGetCached(string input, [NotNullWhen(true)] out MxResolution? result)
    {
        result = null;
        return _resolutionCache is not null && _resolutionCache.TryGet(input, _random, out result);
    }

    private bool TryGetCached(string asciiDomain, string input, [NotNullWhen(true)] out MxResolution? result)
    {
        result = null;
        return _resolutionCache is not null && _resolutionCache.TryGet(asciiDomain, input, _random, out result);
    }
}
