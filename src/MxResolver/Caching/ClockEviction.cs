namespace MxResolver.Caching;

/// <summary>
/// What <see cref="ClockEviction{T}"/> asks about the items it holds: whether one is still in the
/// store, and whether it has earned a second chance.
/// </summary>
/// <typeparam name="T">The queued item: an entry, or a handle on one.</typeparam>
internal interface IClockPolicy<T>
{
    /// <summary>Whether the item is still in the store (not removed or replaced since it was queued).</summary>
    bool IsLive(T item);

    /// <summary>The entry the item stands for, whose reference mark is read and cleared.</summary>
    ClockEntry EntryOf(T item);

    /// <summary>Whether the entry can no longer be served at <paramref name="now"/>, so that a recent use buys it nothing.</summary>
    bool IsUseless(T item, long now);
}

/// <summary>
/// An entry under CLOCK eviction: a hit only sets its reference mark, without a lock.
/// </summary>
internal abstract class ClockEntry
{
    private bool _referenced;

    /// <summary>Records a use.</summary>
    public void MarkReferenced()
    {
        // Written only when it changes, so hot entries read by many threads stay shared in cache lines.
        if (!_referenced)
        {
            _referenced = true;
        }
    }

    /// <summary>Whether the entry was used since the clock hand last passed; clears the mark.</summary>
    public bool TakeReference()
    {
        if (!_referenced)
        {
            return false;
        }

        _referenced = false;
        return true;
    }
}

/// <summary>
/// CLOCK (second chance) eviction, an O(1) amortized approximation of least-recently-used, for
/// the answer cache and the resolution cache alike (R27). Items are queued in insertion order;
/// to make room the hand takes them from the front: one no longer in the store is dropped, one
/// used since the last pass (and still servable) gets its mark cleared and goes to the back, the
/// first other one is the victim. Not thread-safe: the owner calls it under its own lock.
/// </summary>
/// <typeparam name="T">The queued item.</typeparam>
internal sealed class ClockEviction<T>(IClockPolicy<T> policy)
{
    private Queue<T> _queue = new();

    /// <summary>Queues a newly stored item at the back.</summary>
    /// <param name="item">The item.</param>
    /// <param name="liveCount">How many items the store holds now.</param>
    public void Add(T item, int liveCount)
    {
        _queue.Enqueue(item);

        // Removals and replacements leave dead items behind; rebuilding once they outnumber the
        // live ones keeps the queue within twice the bound, O(1) amortized.
        if (_queue.Count > (2 * liveCount) + 64)
        {
            _queue = new Queue<T>(_queue.Where(policy.IsLive));
        }
    }

    /// <summary>Finds the item to evict; the caller removes it from the store.</summary>
    /// <returns>Whether there was a live item to evict.</returns>
    public bool TryTakeVictim(long now, out T victim)
    {
        while (_queue.TryDequeue(out T? item))
        {
            if (!policy.IsLive(item))
            {
                continue; // removed or replaced since it was queued
            }

            if (!policy.IsUseless(item, now) && policy.EntryOf(item).TakeReference())
            {
                _queue.Enqueue(item);
                continue;
            }

            victim = item;
            return true;
        }

        victim = default!;
        return false;
    }

    /// <summary>Forgets every item.</summary>
    public void Clear() => _queue = new Queue<T>();
}
