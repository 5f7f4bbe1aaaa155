using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using MxResolver.Input;

namespace MxResolver.Caching;

/// <summary>An entry of a <see cref="BoundedClockMap{TEntry}"/>: its key and the moment it stops being served.</summary>
/// <param name="key">The key it is stored under.</param>
/// <param name="expiresAt">The <see cref="CacheClock.Now"/> value from which it is no longer served.</param>
internal abstract class KeyedClockEntry(string key, long expiresAt) : ClockEntry
{
    public string Key { get; } = key;

    public long ExpiresAt { get; } = expiresAt;
}

/// <summary>
/// A dictionary of whole results by name (case-insensitive), bounded by CLOCK eviction (R27): the
/// store of the resolution cache and of the secure-resolution cache. Reads go straight to
/// <see cref="Entries"/> without a lock; writes happen under <see cref="Gate"/>.
/// </summary>
/// <typeparam name="TEntry">The entry type.</typeparam>
internal sealed class BoundedClockMap<TEntry> : IClockPolicy<TEntry>
    where TEntry : KeyedClockEntry
{
    private readonly int _maxEntries;
    private readonly ClockEviction<TEntry> _eviction;
#if NET9_0_OR_GREATER
    private readonly ConcurrentDictionary<string, TEntry>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
#endif

    /// <summary>Creates an empty map holding at most <paramref name="maxEntries"/> entries.</summary>
    public BoundedClockMap(int maxEntries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        _maxEntries = maxEntries;
        _eviction = new ClockEviction<TEntry>(this);
#if NET9_0_OR_GREATER
        _bySpan = Entries.GetAlternateLookup<ReadOnlySpan<char>>();
#endif
    }

    /// <summary>The entries by key; read freely, written only through this class under <see cref="Gate"/>.</summary>
    public ConcurrentDictionary<string, TEntry> Entries { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The lock every write takes.</summary>
    public object Gate { get; } = new();

    /// <summary>
    /// The entry for <paramref name="input"/> when it is a plain ASCII domain or an address at one
    /// (<see cref="MxInputParser.TryGetPlainDomain"/>), found without parsing or allocating; expired
    /// entries included. Anything else (Unicode names, literals, malformed input) misses.
    /// </summary>
    public bool TryGetPlain(string input, [NotNullWhen(true)] out TEntry? entry)
    {
        // Keys are lower-case A-labels. Ignoring case is only the parser's mapping for ASCII:
        // for other characters (a dotless i, say) it would match names IDNA maps elsewhere (R3).
        if (!MxInputParser.TryGetPlainDomain(input, out ReadOnlySpan<char> domain))
        {
            entry = null;
            return false;
        }

#if NET9_0_OR_GREATER
        return _bySpan.TryGetValue(domain, out entry);
#else
        return Entries.TryGetValue(domain.Length == input.Length ? input : domain.ToString(), out entry);
#endif
    }

    /// <summary>Stores <paramref name="entry"/>, first evicting as needed so the bound holds at every moment. The caller holds <see cref="Gate"/>.</summary>
    public void PutLocked(TEntry entry, long now)
    {
        if (!Entries.ContainsKey(entry.Key))
        {
            while (Entries.Count >= _maxEntries && EvictOne(now))
            {
            }
        }

        Entries[entry.Key] = entry;
        _eviction.Add(entry, Entries.Count);
    }

    /// <summary>Drops every entry. The caller holds <see cref="Gate"/>.</summary>
    /// <returns>How many there were.</returns>
    public int ClearLocked()
    {
        int removed = Entries.Count;
        Entries.Clear();
        _eviction.Clear();
        return removed;
    }

    bool IClockPolicy<TEntry>.IsLive(TEntry item) => Entries.TryGetValue(item.Key, out TEntry? current) && ReferenceEquals(current, item);

    ClockEntry IClockPolicy<TEntry>.EntryOf(TEntry item) => item;

    bool IClockPolicy<TEntry>.IsUseless(TEntry item, long now) => now >= item.ExpiresAt;

    private bool EvictOne(long now)
    {
        if (!_eviction.TryTakeVictim(now, out TEntry? entry))
        {
            return false;
        }

        Entries.TryRemove(new KeyValuePair<string, TEntry>(entry.Key, entry));
        return true;
    }
}
