using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MxResolver.Diagnostics;
using MxResolver.Dns;
using MxResolver.Configuration;
using MxResolver.Lookup;

namespace MxResolver.Caching;

/// <summary>
/// A TTL-aware cache in front of another <see cref="IDnsLookup"/> (R24–R28). Answers are kept per
/// question (name, type), so the addresses of a provider's MX hosts are shared by every domain
/// pointing at them; an NXDOMAIN is kept per name and answers every type (RFC 2308 §5).
/// </summary>
/// <remarks>
/// <para>
/// Lifetimes: a positive answer lives for its TTL clamped to
/// [<see cref="MxCacheOptions.MinimumTtl"/>, <see cref="MxCacheOptions.MaximumTtl"/>]; a TTL of
/// zero is handed to the current callers only and never stored (R24). A negative answer lives
/// for min(SOA TTL, SOA MINIMUM) clamped to the negative bounds, or for
/// <see cref="MxCacheOptions.NegativeTtlWithoutSoa"/> without an SOA (R25). Failures and CNAME
/// loops live for <see cref="MxCacheOptions.FailureTtl"/>, at most five minutes (R26). A reused
/// answer reports its remaining TTL in whole seconds, rounded down.
/// </para>
/// <para>
/// Bound and eviction (R27): at most <see cref="MxCacheOptions.MaxEntries"/> answers are held.
/// Eviction is CLOCK (<see cref="ClockEviction{T}"/>); an entry expired beyond any stale use earns
/// no second chance. Hits take no lock; insertions, removals and evictions share one lock, which
/// is only taken after a trip to the name servers.
/// </para>
/// <para>
/// Single flight (R27): concurrent lookups of the same question share one upstream query. The
/// query runs without the callers' cancellation tokens, so one caller giving up does not cancel it
/// for the others; if every caller gives up it still completes into the cache.
/// </para>
/// <para>
/// Serve-stale (RFC 8767; R28), when enabled: if the name servers fail and an expired positive
/// answer is at most <see cref="MxCacheOptions.MaxStaleAge"/> past its expiry, that answer is
/// returned marked <see cref="DnsAnswer.IsStale"/> with a TTL of
/// <see cref="MxCacheOptions.StaleAnswerTtl"/>, and the servers are not asked again for the
/// question until that TTL has passed (the "failure recheck timer" of RFC 8767 §5). Negative
/// answers are never served stale: a stale NXDOMAIN would turn an outage into a permanent bounce
/// (R5), whereas the failure keeps the message queued (R6).
/// </para>
/// <para>
/// Only MX, A and AAAA questions (the ones MX resolution asks) and TXT and TLSA questions (the
/// policy layer's) are cached; others pass through. <see cref="DnsAnswer.IsSecure"/> is kept with the answer.
/// </para>
/// <para>
/// The settings are read once, when the cache is built, and must meet
/// <see cref="OptionsRules.Cache"/>: nothing is clamped here.
/// </para>
/// </remarks>
internal sealed class CachingDnsLookup : IDnsLookup, IClockPolicy<CachingDnsLookup.ClockNode>
{
    private const int NxDomainSlot = 0;
    private const int MxSlot = 1;
    private const int ASlot = 2;
    private const int AaaaSlot = 3;
    private const int TxtSlot = 4; // MTA-STS and TLS-RPT discovery
    private const int TlsaSlot = 5; // DANE
    private const string TypeTag = MxResolverTags.QuestionType;

    private static readonly KeyValuePair<string, object?> MxTag = new(TypeTag, "MX");
    private static readonly KeyValuePair<string, object?> ATag = new(TypeTag, "A");
    private static readonly KeyValuePair<string, object?> AaaaTag = new(TypeTag, "AAAA");
    private static readonly KeyValuePair<string, object?> TxtTag = new(TypeTag, "TXT");
    private static readonly KeyValuePair<string, object?> TlsaTag = new(TypeTag, "TLSA");

    private readonly IDnsLookup _inner;
    private readonly int _maxEntries;
    private readonly CacheClock _clock;
    private readonly MxResolverTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly long _minimumTtl;
    private readonly long _maximumTtl;
    private readonly long _negativeMinimumTtl;
    private readonly long _negativeMaximumTtl;
    private readonly long _negativeTtlWithoutSoa;
    private readonly long _failureTtl;
    private readonly long _maxStaleAge;
    private readonly long _staleAnswerTtl;

    private readonly ConcurrentDictionary<string, NameEntry> _names = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<FlightKey, Flight> _flights = new();
    private readonly object _gate = new();
    private readonly ClockEviction<ClockNode> _eviction;
    private int _count;
    private long _generation;

    /// <summary>Creates a cache in front of <paramref name="inner"/>.</summary>
    /// <param name="inner">Asked on a miss.</param>
    /// <param name="options">The settings, read here once (<see cref="MxCacheOptions.Enabled"/> is the builder's business, not read).</param>
    /// <param name="timeProvider">The clock of TTLs.</param>
    /// <param name="telemetry">Where hits, misses, evictions and stale answers are counted.</param>
    /// <param name="logger">Where stale answers are logged; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A setting breaks a rule of <see cref="OptionsRules.Cache"/> (the message names it).</exception>
    public CachingDnsLookup(IDnsLookup inner, MxCacheOptions options, TimeProvider timeProvider, MxResolverTelemetry telemetry, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(telemetry);
        OptionsRules.ThrowIfInvalid(options);

        _inner = inner;
        _clock = new CacheClock(timeProvider);
        _telemetry = telemetry;
        _logger = logger ?? NullLogger.Instance;
        _eviction = new ClockEviction<ClockNode>(this);

        // The one snapshot of the settings, in timestamp units.
        _maxEntries = options.MaxEntries;
        _minimumTtl = _clock.ToUnits(options.MinimumTtl);
        _maximumTtl = _clock.ToUnits(options.MaximumTtl);
        _negativeMinimumTtl = _clock.ToUnits(options.NegativeMinimumTtl);
        _negativeMaximumTtl = _clock.ToUnits(options.NegativeMaximumTtl);
        _negativeTtlWithoutSoa = _clock.ToUnits(options.NegativeTtlWithoutSoa);
        _failureTtl = _clock.ToUnits(options.FailureTtl);
        _maxStaleAge = options.ServeStale ? _clock.ToUnits(options.MaxStaleAge) : 0;
        _staleAnswerTtl = _clock.ToUnits(options.StaleAnswerTtl);
    }

    /// <summary>The number of answers held, expired ones included until they are evicted.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The most answers held (<see cref="MxCacheOptions.MaxEntries"/>); the resolution cache above holds at most as many resolutions.</summary>
    public int MaxEntries => _maxEntries;

    /// <summary>The clock of the cache; the resolution cache above it uses the same one.</summary>
    public TimeProvider TimeProvider => _clock.TimeProvider;

    /// <inheritdoc />
    public ValueTask<DnsAnswer> LookupAsync(string name, DnsRecordType type, CancellationToken cancellationToken)
    {
        int slot = SlotOf(type);
        if (slot < 0)
        {
            return _inner.LookupAsync(name, type, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (TryGetCached(name, type, slot, _clock.Now, out DnsAnswer? cached))
        {
            _telemetry.CacheHits.Add(1, TagOf(slot));
            return new ValueTask<DnsAnswer>(cached);
        }

        return JoinFlight(name, type, slot, cancellationToken);
    }

    /// <summary>
    /// Drops every answer cached for <paramref name="name"/> (all types, and its NXDOMAIN), for an
    /// operator who knows the records changed. Lookups already on their way to the servers are not
    /// stored when they come back.
    /// </summary>
    /// <param name="name">An absolute name, lower case, with its trailing dot.</param>
    /// <returns>The number of answers dropped.</returns>
    public int Remove(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_gate)
        {
            _generation++;
            if (!_names.TryRemove(name, out NameEntry? entry))
            {
                return 0;
            }

            int removed = entry.ClearAll();
            _count -= removed;
            return removed;
        }
    }

    /// <summary>Drops every cached answer. Lookups already on their way to the servers are not stored when they come back.</summary>
    /// <returns>The number of answers dropped.</returns>
    public int Clear()
    {
        lock (_gate)
        {
            _generation++;
            int removed = _count;
            foreach (KeyValuePair<string, NameEntry> pair in _names)
            {
                // Emptying the slots makes a lookup that already holds the entry miss as well.
                pair.Value.ClearAll();
            }

            _names.Clear();
            _eviction.Clear();
            _count = 0;
            return removed;
        }
    }

    private static int SlotOf(DnsRecordType type) => type switch
    {
        DnsRecordType.MX => MxSlot,
        DnsRecordType.A => ASlot,
        DnsRecordType.AAAA => AaaaSlot,
        DnsRecordType.TXT => TxtSlot,
        DnsRecordType.TLSA => TlsaSlot,
        _ => -1,
    };

    private static KeyValuePair<string, object?> TagOf(int slot) => slot switch
    {
        MxSlot => MxTag,
        ASlot => ATag,
        TxtSlot => TxtTag,
        TlsaSlot => TlsaTag,
        _ => AaaaTag,
    };

    private bool TryGetCached(string name, DnsRecordType type, int slot, long now, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DnsAnswer? answer)
    {
        answer = null;
        if (!_names.TryGetValue(name, out NameEntry? names))
        {
            return false;
        }

        // RFC 2308 §5: a name error says the name has no records of any type.
        CacheEntry? nxDomain = Volatile.Read(ref names.Slot(NxDomainSlot));
        if (nxDomain is not null && now < nxDomain.ExpiresAt)
        {
            nxDomain.MarkReferenced();
            answer = nxDomain.Answer.Type == type
                ? CountDown(nxDomain, now)
                : new DnsAnswer(name, type, DnsAnswerKind.NxDomain)
                {
                    CanonicalName = nxDomain.Answer.CanonicalName,
                    Aliases = nxDomain.Answer.Aliases,
                    HasSoa = nxDomain.Answer.HasSoa,
                    IsSecure = nxDomain.Answer.IsSecure, // a proven name error denies every type
                    TimeToLive = _clock.SecondsLeft(nxDomain.ExpiresAt, now),
                };
            return true;
        }

        CacheEntry? entry = Volatile.Read(ref names.Slot(slot));
        if (entry is null)
        {
            return false;
        }

        if (now < entry.ExpiresAt)
        {
            entry.MarkReferenced();
            answer = CountDown(entry, now);
            return true;
        }

        // RFC 8767 §5: after the servers failed, keep serving the stale answer until the failure
        // recheck timer runs out instead of asking them again for every lookup.
        long staleUntil = Math.Min(Volatile.Read(ref entry.StaleUntil), entry.ExpiresAt + _maxStaleAge);
        if (now < staleUntil && entry.Answer.Kind == DnsAnswerKind.Success)
        {
            entry.MarkReferenced();
            answer = entry.Answer with { IsStale = true, TimeToLive = _clock.SecondsLeft(staleUntil, now) };
            _telemetry.StaleAnswers.Add(1, TagOf(slot));
            return true;
        }

        return false;
    }

    private DnsAnswer CountDown(CacheEntry entry, long now)
    {
        DnsAnswer answer = entry.Answer;
        if (answer.Kind is DnsAnswerKind.Failure or DnsAnswerKind.AliasLoop)
        {
            return answer; // failures carry no TTL
        }

        uint remaining = _clock.SecondsLeft(entry.ExpiresAt, now);
        if (answer.TimeToLive == remaining)
        {
            return answer;
        }

        // Hits within the same second share one copy, so a hot entry allocates once per second.
        DnsAnswer? last = Volatile.Read(ref entry.LastServed);
        if (last is not null && last.TimeToLive == remaining)
        {
            return last;
        }

        last = answer with { TimeToLive = remaining };
        Volatile.Write(ref entry.LastServed, last);
        return last;
    }

    private ValueTask<DnsAnswer> JoinFlight(string name, DnsRecordType type, int slot, CancellationToken cancellationToken)
    {
        var key = new FlightKey(name, type);
        Flight flight = _flights.GetOrAdd(key, static _ => new Flight());
        if (flight.TryClaim())
        {
            _ = RunFlightAsync(key, slot, flight);
        }

        Task<DnsAnswer> task = flight.Completion.Task;
        if (task.IsCompletedSuccessfully)
        {
            return new ValueTask<DnsAnswer>(task.Result);
        }

        return new ValueTask<DnsAnswer>(cancellationToken.CanBeCanceled ? task.WaitAsync(cancellationToken) : task);
    }

    private async Task RunFlightAsync(FlightKey key, int slot, Flight flight)
    {
        DnsAnswer result;
        try
        {
            long generation = Volatile.Read(ref _generation);

            // A flight that finished between this caller's cache check and its joining has stored
            // its answer already; asking the servers again would break single flight.
            if (!TryGetCached(key.Name, key.Type, slot, _clock.Now, out DnsAnswer? cached))
            {
                _telemetry.CacheMisses.Add(1, TagOf(slot));
                DnsAnswer answer = await _inner.LookupAsync(key.Name, key.Type, CancellationToken.None).ConfigureAwait(false);
                cached = Store(key.Name, slot, answer, _clock.Now, generation);
            }

            result = cached;
        }
        catch (Exception ex)
        {
            // The lookup contract reports failures as values; an exception is a bug upstream and
            // goes to every waiter unchanged, uncached.
            _flights.TryRemove(new KeyValuePair<FlightKey, Flight>(key, flight));
            flight.Completion.SetException(ex);
            return;
        }

        _flights.TryRemove(new KeyValuePair<FlightKey, Flight>(key, flight));
        flight.Completion.SetResult(result);
    }

    private DnsAnswer Store(string name, int slot, DnsAnswer answer, long now, long generation)
    {
        switch (answer.Kind)
        {
            case DnsAnswerKind.Success:
            {
                if (answer.TimeToLive == 0)
                {
                    return answer; // R24: for the current resolution only (RFC 1035 §3.2.1)
                }

                long lifetime = Math.Clamp(_clock.ToUnits(answer.TimeToLive), _minimumTtl, _maximumTtl);
                DnsAnswer served = WithTimeToLive(answer, lifetime);
                Put(name, slot, new CacheEntry(served, now + lifetime), now, generation);
                return served;
            }

            case DnsAnswerKind.NoData:
            case DnsAnswerKind.NxDomain:
            {
                // RFC 2308 §5: the negative TTL is min(SOA TTL, SOA MINIMUM), already taken by the
                // answer reader; without an SOA there is no TTL to trust. A zero TTL is never raised.
                long lifetime = answer.HasSoa
                    ? (answer.TimeToLive == 0 ? 0 : Math.Clamp(_clock.ToUnits(answer.TimeToLive), _negativeMinimumTtl, _negativeMaximumTtl))
                    : _negativeTtlWithoutSoa;
                DnsAnswer served = WithTimeToLive(answer, lifetime);
                if (lifetime > 0)
                {
                    Put(name, answer.Kind == DnsAnswerKind.NxDomain ? NxDomainSlot : slot, new CacheEntry(served, now + lifetime), now, generation);
                }

                return served;
            }

            default:
            {
                if (answer.Kind == DnsAnswerKind.Failure && _maxStaleAge > 0 && TryServeStale(name, slot, now, out DnsAnswer? stale))
                {
                    return stale;
                }

                // R26 (RFC 2308 §7.1): a failure is remembered briefly, if at all.
                if (_failureTtl > 0)
                {
                    Put(name, slot, new CacheEntry(answer, now + _failureTtl), now, generation);
                }

                return answer;
            }
        }
    }

    private DnsAnswer WithTimeToLive(DnsAnswer answer, long lifetime)
    {
        uint seconds = _clock.ToSeconds(lifetime);
        return answer.TimeToLive == seconds ? answer : answer with { TimeToLive = seconds };
    }

    private bool TryServeStale(string name, int slot, long now, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DnsAnswer? stale)
    {
        stale = null;
        if (!_names.TryGetValue(name, out NameEntry? names)
            || Volatile.Read(ref names.Slot(slot)) is not { } entry
            || entry.Answer.Kind != DnsAnswerKind.Success
            || now < entry.ExpiresAt
            || now >= entry.ExpiresAt + _maxStaleAge)
        {
            return false;
        }

        long staleUntil = Math.Min(now + _staleAnswerTtl, entry.ExpiresAt + _maxStaleAge);
        Volatile.Write(ref entry.StaleUntil, staleUntil);
        entry.MarkReferenced();
        stale = entry.Answer with { IsStale = true, TimeToLive = _clock.SecondsLeft(staleUntil, now) };
        _telemetry.StaleAnswers.Add(1, TagOf(slot));
        CacheLog.StaleAnswerServed(_logger, name, entry.Answer.Type.ToString(), _clock.ToSeconds(now - entry.ExpiresAt));
        return true;
    }

    private void Put(string name, int slot, CacheEntry entry, long now, long generation)
    {
        lock (_gate)
        {
            if (_generation != generation)
            {
                return; // flushed while the query was out: the operator wants fresh data
            }

            if (_names.TryGetValue(name, out NameEntry? names))
            {
                if (slot == NxDomainSlot)
                {
                    // RFC 2308 §5: the name is gone, so are its records.
                    _count -= names.ClearAllExcept(NxDomainSlot);
                }
                else if ((entry.Answer.Kind is DnsAnswerKind.Success or DnsAnswerKind.NoData) && names.Slot(NxDomainSlot) is not null)
                {
                    Volatile.Write(ref names.Slot(NxDomainSlot), null);
                    _count--;
                }
            }

            if (names is null || names.Slot(slot) is null)
            {
                // Room is made before the entry goes in, so the bound holds at every moment.
                long evicted = 0;
                while (_count >= _maxEntries && EvictOne(now))
                {
                    evicted++;
                }

                if (evicted > 0)
                {
                    _telemetry.CacheEvictions.Add(evicted);
                }

                if (!_names.TryGetValue(name, out names))
                {
                    names = new NameEntry(name);
                    _names[name] = names;
                }

                _count++;
                Volatile.Write(ref names.Slot(slot), entry);
                _eviction.Add(new ClockNode(names, slot), _count);
                return;
            }

            Volatile.Write(ref names.Slot(slot), entry);
        }
    }

    private bool EvictOne(long now)
    {
        if (!_eviction.TryTakeVictim(now, out ClockNode node))
        {
            return false;
        }

        Volatile.Write(ref node.Names.Slot(node.Slot), null);
        _count--;
        if (node.Names.IsEmpty)
        {
            _names.TryRemove(new KeyValuePair<string, NameEntry>(node.Names.Name, node.Names));
        }

        return true;
    }

    bool IClockPolicy<ClockNode>.IsLive(ClockNode item) => item.Names.Slot(item.Slot) is not null;

    ClockEntry IClockPolicy<ClockNode>.EntryOf(ClockNode item) => item.Names.Slot(item.Slot)!;

    bool IClockPolicy<ClockNode>.IsUseless(ClockNode item, long now)
    {
        CacheEntry entry = item.Names.Slot(item.Slot)!;
        return now >= entry.ExpiresAt + (entry.Answer.Kind == DnsAnswerKind.Success ? _maxStaleAge : 0);
    }

    /// <summary>The answers cached for one name: its NXDOMAIN and one slot per cached type.</summary>
    internal sealed class NameEntry(string name)
    {
        private CacheEntry? _nxDomain;
        private CacheEntry? _mx;
        private CacheEntry? _a;
        private CacheEntry? _aaaa;
        private CacheEntry? _txt;
        private CacheEntry? _tlsa;

        public string Name { get; } = name;

        public bool IsEmpty => _nxDomain is null && _mx is null && _a is null && _aaaa is null && _txt is null && _tlsa is null;

        public ref CacheEntry? Slot(int slot)
        {
            switch (slot)
            {
                case NxDomainSlot:
                    return ref _nxDomain;
                case MxSlot:
                    return ref _mx;
                case ASlot:
                    return ref _a;
                case TxtSlot:
                    return ref _txt;
                case TlsaSlot:
                    return ref _tlsa;
                default:
                    return ref _aaaa;
            }
        }

        public int ClearAll() => ClearAllExcept(-1);

        public int ClearAllExcept(int keep)
        {
            int cleared = 0;
            for (int slot = NxDomainSlot; slot <= TlsaSlot; slot++)
            {
                if (slot != keep && Slot(slot) is not null)
                {
                    Volatile.Write(ref Slot(slot), null);
                    cleared++;
                }
            }

            return cleared;
        }
    }

    /// <summary>One cached answer. The answer and expiry never change; the marks are advisory.</summary>
    internal sealed class CacheEntry(DnsAnswer answer, long expiresAt) : ClockEntry
    {
        public DnsAnswer? LastServed;
        public long StaleUntil;

        public DnsAnswer Answer { get; } = answer;

        public long ExpiresAt { get; } = expiresAt;
    }

    /// <summary>A slot of a name, as the eviction queue holds it: live while the slot holds an answer.</summary>
    internal readonly record struct ClockNode(NameEntry Names, int Slot);

    private readonly record struct FlightKey(string Name, DnsRecordType Type);

    /// <summary>One upstream query shared by every concurrent lookup of the same question.</summary>
    private sealed class Flight
    {
        private int _claimed;

        public TaskCompletionSource<DnsAnswer> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool TryClaim() => Interlocked.Exchange(ref _claimed, 1) == 0;
    }
}
