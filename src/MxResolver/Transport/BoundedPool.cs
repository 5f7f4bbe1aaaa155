using System.Collections.Concurrent;

namespace MxResolver.Transport;

/// <summary>
/// Idle objects kept for reuse, at most <see cref="Capacity"/> of them; thread-safe, and neither
/// renting nor returning allocates once the pool has grown. For per-query objects (buffers,
/// exchanges, deadline sources) that a busy process needs hundreds of at once: the shared
/// <see cref="System.Buffers.ArrayPool{T}"/> keeps a few per core, so most rentals under load
/// would allocate.
/// </summary>
/// <typeparam name="T">The pooled objects.</typeparam>
internal sealed class BoundedPool<T>
    where T : class
{
    /// <summary>The default bound: the queries (or resolutions) a busy process has in flight at once.</summary>
    public const int DefaultCapacity = 256;

    private readonly ConcurrentQueue<T> _items = new();
    private int _count;

    /// <summary>Creates an empty pool.</summary>
    /// <param name="capacity">The most idle objects kept.</param>
    public BoundedPool(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    /// <summary>The most idle objects kept.</summary>
    public int Capacity { get; }

    /// <summary>How many idle objects wait in the pool.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Takes an idle object, if there is one.</summary>
    public bool TryRent([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out T? item)
    {
        if (_items.TryDequeue(out item))
        {
            Interlocked.Decrement(ref _count);
            return true;
        }

        return false;
    }

    /// <summary>Keeps <paramref name="item"/> for reuse; <see langword="false"/> when the pool is full (the caller then drops it).</summary>
    public bool TryReturn(T item)
    {
        if (Interlocked.Increment(ref _count) <= Capacity)
        {
            _items.Enqueue(item);
            return true;
        }

        Interlocked.Decrement(ref _count);
        return false;
    }
}
