using System.Diagnostics.CodeAnalysis;
using MxResolver.Caching;

namespace MxResolver.Policy;

/// <summary>
/// Whole secure resolutions per domain, so that a repeated <see cref="IMxSecurityResolver.ResolveSecureAsync"/>
/// costs the cached resolution plus a dictionary lookup, instead of a walk through the TXT, TLSA and
/// policy caches and a new decision for every target (R38).
/// </summary>
/// <remarks>
/// <para>
/// An entry keeps the decisions made for one resolution: each target's requirement, the MTA-STS
/// policy and the TLS-RPT record. It is served only with the very resolution it was decided for:
/// the resolver's own cache hands out the same <see cref="MxTarget"/> objects, reshuffled, for as
/// long as it keeps that resolution, and a new resolution (expiry, flush, a change in DNS) has new
/// ones, so a decision never outlives the targets it was made for. The entry itself lives no longer
/// than the smallest TTL of the TXT and TLSA answers it read, and never past the moment the MTA-STS
/// policy cache would start refreshing the policy, so that the refresh ahead of expiry still runs.
/// </para>
/// <para>
/// Not kept: anything built on a failure (a failed TLSA, TXT or policy lookup, a stale or temporary
/// resolution): those are looked up again every time. Bounded like the other caches (CLOCK eviction, R27).
/// </para>
/// </remarks>
internal sealed class SecureResolutionCache
{
    private readonly CacheClock _clock;
    private readonly BoundedClockMap<Entry> _map;

    /// <summary>Creates an empty cache.</summary>
    /// <param name="timeProvider">The clock; the resolver's.</param>
    /// <param name="maxEntries">The most secure resolutions held.</param>
    public SecureResolutionCache(TimeProvider timeProvider, int maxEntries)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _clock = new CacheClock(timeProvider);
        _map = new BoundedClockMap<Entry>(maxEntries);
    }

    /// <summary>The number of entries held, expired ones included until they are evicted.</summary>
    public int Count => _map.Entries.Count;

    /// <summary>
    /// The unexpired entry for <paramref name="input"/> when it is a plain ASCII domain or an address
    /// at one; anything else misses and goes the long way.
    /// </summary>
    public bool TryGet(string input, [NotNullWhen(true)] out Entry? entry)
    {
        if (!_map.TryGetPlain(input, out entry))
        {
            return false;
        }

        if (_clock.Now >= entry.ExpiresAt)
        {
            entry = null;
            return false;
        }

        entry.MarkReferenced();
        return true;
    }

    /// <summary>
    /// The secure resolution for <paramref name="resolution"/> from <paramref name="entry"/>, when
    /// the resolution is the one the entry was decided for (its targets are the same objects, in
    /// any order); otherwise <see langword="null"/>.
    /// </summary>
    public static MxSecureResolution? TryServe(Entry entry, MxResolution resolution)
    {
        IReadOnlyList<MxTarget> targets = resolution.Targets;
        MxTarget[] decidedFor = entry.DecidedFor;
        // The same target objects mean the same cached resolution, and with it the same DNSSEC
        // status and freshness: nothing else needs comparing.
        if (targets.Count != decidedFor.Length)
        {
            return null;
        }

        var kept = new MxSecureTarget[entry.KeptCount];
        MxSecureTarget[] dropped = entry.DroppedCount == 0 ? [] : new MxSecureTarget[entry.DroppedCount];
        int k = 0;
        int d = 0;
        for (int i = 0; i < targets.Count; i++)
        {
            int j = IndexOf(decidedFor, targets[i]);
            if (j < 0)
            {
                return null;
            }

            if (entry.Dropped[j])
            {
                dropped[d++] = entry.Decisions[j];
            }
            else
            {
                kept[k++] = entry.Decisions[j];
            }
        }

        return new MxSecureResolution(resolution, kept, dropped, entry.Policy.Stored, mtaStsFetched: false, null, null, entry.TlsRpt);
    }

    /// <summary>Keeps the decisions for <paramref name="asciiDomain"/> for <paramref name="lifetime"/>.</summary>
    /// <param name="asciiDomain">The domain in A-label form, lower case, without trailing dot.</param>
    /// <param name="resolution">The resolution the decisions were made for.</param>
    /// <param name="decisions">Each target's decision, in the order of <see cref="MxResolution.Targets"/>.</param>
    /// <param name="dropped">Whether each target was dropped by the MTA-STS policy.</param>
    /// <param name="policy">The MTA-STS lookup; must not carry a failure.</param>
    /// <param name="tlsRpt">The TLS-RPT record, if any.</param>
    /// <param name="lifetime">How long the decisions stay valid; under a second, nothing is kept.</param>
    public void Store(string asciiDomain, MxResolution resolution, MxSecureTarget[] decisions, bool[] dropped, MtaStsLookupResult policy, TlsRptRecord? tlsRpt, TimeSpan lifetime)
    {
        if (lifetime < TimeSpan.FromSeconds(1) || policy.Failure is not null)
        {
            return;
        }

        long now = _clock.Now;
        var entry = new Entry(asciiDomain, resolution, decisions, dropped, policy, tlsRpt, now + _clock.ToUnits(lifetime));
        lock (_map.Gate)
        {
            _map.PutLocked(entry, now);
        }
    }

    private static int IndexOf(MxTarget[] targets, MxTarget target)
    {
        for (int j = 0; j < targets.Length; j++)
        {
            if (ReferenceEquals(targets[j], target))
            {
                return j;
            }
        }

        return -1;
    }

    /// <summary>One domain's decisions.</summary>
    internal sealed class Entry : KeyedClockEntry
    {
        public Entry(string key, MxResolution resolution, MxSecureTarget[] decisions, bool[] dropped, MtaStsLookupResult policy, TlsRptRecord? tlsRpt, long expiresAt)
            : base(key, expiresAt)
        {
            DecidedFor = [.. resolution.Targets];
            Decisions = decisions;
            Dropped = dropped;
            DroppedCount = dropped.Count(static d => d);
            KeptCount = dropped.Length - DroppedCount;
            Policy = policy;
            TlsRpt = tlsRpt;
        }

        public MxTarget[] DecidedFor { get; }

        public MxSecureTarget[] Decisions { get; }

        public bool[] Dropped { get; }

        public int DroppedCount { get; }

        public int KeptCount { get; }

        public MtaStsLookupResult Policy { get; }

        public TlsRptRecord? TlsRpt { get; }
    }
}
