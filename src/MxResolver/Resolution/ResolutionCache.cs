using System.Collections.Concurrent;
using System.Net;
using MxResolver.Caching;
using MxResolver.Input;

namespace MxResolver.Resolution;

/// <summary>
/// Whole resolutions per domain, so that a repeated <see cref="IMxResolver.ResolveAsync"/> of the
/// same domain costs a dictionary lookup and a shuffle instead of a walk through the DNS cache.
/// </summary>
/// <remarks>
/// <para>
/// An entry keeps the outcome of one resolution: the targets in preference order with their
/// addresses, and the dropped and warning lists. It lives until the smallest TTL of the DNS
/// answers it was built from runs out (R24, R25), never longer. On every hit equal preferences
/// are shuffled again (R12, RFC 5321 §5.1) and the TTL counts down; the hit allocates the new
/// target array and the result, nothing else.
/// </para>
/// <para>
/// Only results that a fresh resolution would reproduce up to the tie shuffle are kept. Not kept:
/// temporary failures and results where any lookup failed (R26 keeps those short at the DNS
/// level), results without a TTL, and results where the shuffle changes more than the order of
/// tied targets: exchanges cut by the target cap, addresses dropped as duplicates or cut by the
/// overall address cap, or an address shared by two exchanges (R13, R19). Those go through the
/// DNS cache every time, which is still correct, only slower.
/// </para>
/// <para>Bounded like the DNS cache, with the same CLOCK eviction (<see cref="ClockEviction{T}"/>, R27) and the same clock (<see cref="CacheClock"/>).</para>
/// </remarks>
internal sealed class ResolutionCache
{
    private readonly CacheClock _clock;
    private readonly int _maxAddresses;
    private readonly BoundedClockMap<Entry> _map;
    private readonly ConcurrentDictionary<string, Entry> _entries;
    private long _generation;

    /// <summary>Creates an empty cache.</summary>
    /// <param name="timeProvider">The clock; the same one as the DNS cache's.</param>
    /// <param name="maxEntries">The most resolutions held.</param>
    /// <param name="maxAddresses">The resolver's overall address cap (R19), to tell whether a shuffle could change which addresses are kept.</param>
    public ResolutionCache(TimeProvider timeProvider, int maxEntries, int maxAddresses)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        _clock = new CacheClock(timeProvider);
        _map = new BoundedClockMap<Entry>(maxEntries);
        _entries = _map.Entries;
        _maxAddresses = maxAddresses;
    }

    /// <summary>The number of resolutions held, expired ones included until they are evicted.</summary>
    public int Count => _entries.Count;

    /// <summary>
    /// Answers <paramref name="input"/> from the cache when it is a plain ASCII domain or an address
    /// at one (<see cref="MxInputParser.TryGetPlainDomain"/>), without parsing or allocating beyond
    /// the result. Anything else (Unicode names, literals, malformed input) misses here and is
    /// parsed by the resolver.
    /// </summary>
    public bool TryGet(string input, Random random, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MxResolution? result)
    {
        result = null;
        return _map.TryGetPlain(input, out Entry? entry) && TryServe(entry, input, random, out result);
    }

    /// <summary>Answers a parsed domain (A-label form, lower case, no trailing dot) from the cache.</summary>
    public bool TryGet(string asciiDomain, string input, Random random, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MxResolution? result)
    {
        result = null;
        return _entries.TryGetValue(asciiDomain, out Entry? entry) && TryServe(entry, input, random, out result);
    }

    /// <summary>Keeps <paramref name="result"/> for <paramref name="asciiDomain"/> when it qualifies (see the remarks).</summary>
    /// <param name="asciiDomain">The domain in A-label form, lower case, without trailing dot.</param>
    /// <param name="result">The result just built from DNS answers.</param>
    /// <param name="anyLookupFailed">Whether any DNS answer it was built from was a failure.</param>
    /// <param name="generation">The value of <see cref="Generation"/> when the resolution started.</param>
    public void Store(string asciiDomain, MxResolution result, bool anyLookupFailed, long generation)
    {
        if (anyLookupFailed
            || result.Status is MxResolutionStatus.TemporaryFailure or MxResolutionStatus.InvalidInput
            || result.TimeToLive is not { } ttl
            || ttl < TimeSpan.FromSeconds(1)
            || !ShuffleOnlyReordersTies(result))
        {
            return;
        }

        long now = _clock.Now;
        var entry = new Entry(asciiDomain, result, now + _clock.ToUnits(ttl));
        lock (_map.Gate)
        {
            if (_generation != generation)
            {
                return; // flushed while resolving: the operator wants fresh data
            }

            _map.PutLocked(entry, now);
        }
    }

    /// <summary>Changes on every flush; a resolution started before a flush is not stored.</summary>
    public long Generation => Volatile.Read(ref _generation);

    /// <summary>
    /// Drops the resolutions of <paramref name="name"/> and every resolution that used it: as the
    /// domain, its canonical name or alias, or one of the targets.
    /// </summary>
    /// <param name="name">A name in A-label form, lower case, without trailing dot.</param>
    /// <returns>The number of resolutions dropped.</returns>
    public int Remove(string name)
    {
        lock (_map.Gate)
        {
            _generation++;
            int removed = 0;
            foreach (KeyValuePair<string, Entry> pair in _entries)
            {
                if (pair.Value.DependsOn(name) && _entries.TryRemove(pair))
                {
                    removed++;
                }
            }

            return removed;
        }
    }

    /// <summary>Drops every resolution.</summary>
    /// <returns>The number of resolutions dropped.</returns>
    public int Clear()
    {
        lock (_map.Gate)
        {
            _generation++;
            return _map.ClearLocked();
        }
    }

    /// <summary>
    /// Whether a new shuffle of the ties would give the same result up to the order of tied
    /// targets. The target cap, the overall address cap and the de-duplication of addresses
    /// across exchanges (R13, R19) all depend on the order, so a result they touched is not reused.
    /// </summary>
    private bool ShuffleOnlyReordersTies(MxResolution result)
    {
        foreach (DroppedExchange dropped in result.DroppedExchanges)
        {
            if (dropped.Reason == ExchangeDropReason.LimitExceeded)
            {
                return false;
            }
        }

        int kept = 0;
        var owners = new Dictionary<IPAddress, string>();
        foreach (MxTarget target in result.Targets)
        {
            kept += target.Addresses.Count;
            foreach (IPAddress address in target.Addresses)
            {
                if (!owners.TryAdd(address, target.Host) && owners[address] != target.Host)
                {
                    return false;
                }
            }
        }

        foreach (DroppedAddress dropped in result.DroppedAddresses)
        {
            if (dropped.Reason == AddressDropReason.Duplicate
                || (dropped.Reason == AddressDropReason.LimitExceeded && kept >= _maxAddresses)
                || (dropped.Reason == AddressDropReason.LimitExceeded && owners.TryGetValue(dropped.Address, out string? owner) && owner != dropped.Host))
            {
                return false;
            }
        }

        return true;
    }

    private bool TryServe(Entry entry, string input, Random random, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MxResolution? result)
    {
        long now = _clock.Now;
        if (now >= entry.ExpiresAt)
        {
            result = null;
            return false;
        }

        entry.MarkReferenced();
        MxResolution template = entry.Template;
        MxTarget[] targets = entry.Targets;
        if (targets.Length != 0)
        {
            // R12: a copy with the ties shuffled again.
            targets = (MxTarget[])targets.Clone();
            ExchangeOrdering.ShuffleTies<MxTarget>(targets, random, static target => target.Preference);
        }

        // Every property of the template is carried over; a test compares them by reflection so
        // that a property added to MxResolution later cannot be forgotten here.
        result = new MxResolution(input, template.Status)
        {
            Domain = template.Domain,
            AsciiDomain = template.AsciiDomain,
            CanonicalName = template.CanonicalName,
            Aliases = template.Aliases,
            Targets = targets,
            DroppedExchanges = template.DroppedExchanges,
            DroppedAddresses = template.DroppedAddresses,
            Warnings = template.Warnings,
            Error = template.Error,
            TimeToLive = TimeSpan.FromSeconds(_clock.SecondsLeft(entry.ExpiresAt, now)), // whole seconds left, counting down
            IsStale = template.IsStale,
            IsMxSecure = template.IsMxSecure,
        };
        return true;
    }

    /// <summary>One cached resolution.</summary>
    internal sealed class Entry(string key, MxResolution template, long expiresAt) : KeyedClockEntry(key, expiresAt)
    {
        public MxResolution Template { get; } = template;

        public MxTarget[] Targets { get; } = [.. template.Targets];

        public bool DependsOn(string name)
        {
            if (string.Equals(Key, name, StringComparison.OrdinalIgnoreCase)
                || string.Equals(Template.CanonicalName, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            foreach (string alias in Template.Aliases)
            {
                if (string.Equals(alias, name, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            foreach (MxTarget target in Targets)
            {
                if (string.Equals(target.Host, name, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
