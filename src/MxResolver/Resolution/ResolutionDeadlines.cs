using System.Collections.Concurrent;

namespace MxResolver.Resolution;

/// <summary>
/// The cancellation sources that carry the resolution deadline (R6), reused: a resolution that
/// ends before its deadline hands its source back reset, timer stopped, and the next resolution
/// re-arms it, so a resolution costs no source, no timer and no linked source.
/// </summary>
/// <remarks>
/// <para>
/// A source is only reused when <see cref="CancellationTokenSource.TryReset"/> succeeds: never
/// after its deadline passed or the caller canceled. The resolution hands it back only once every
/// lookup it started has ended and its link to the caller's token is disposed, so nothing still
/// holds its token.
/// </para>
/// <para>
/// The timer is the time provider's. <see cref="CancellationTokenSource.TryReset"/> only succeeds
/// for the system clock's timers; with any other <see cref="TimeProvider"/> (a fake in tests) a
/// source is used once and dropped, as if there were no pool.
/// </para>
/// </remarks>
internal sealed class ResolutionDeadlines(TimeSpan timeout, TimeProvider timeProvider)
{
    // Enough for the resolutions a busy process has in flight at once; beyond it, sources are dropped.
    private const int Capacity = 256;

    private readonly ConcurrentQueue<CancellationTokenSource> _items = new();
    private int _count;

    /// <summary>A source that cancels itself after the deadline, counted from now.</summary>
    public CancellationTokenSource Rent()
    {
        if (_items.TryDequeue(out CancellationTokenSource? source))
        {
            Interlocked.Decrement(ref _count);
            source.CancelAfter(timeout);
            return source;
        }

        return new CancellationTokenSource(timeout, timeProvider);
    }

    /// <summary>
    /// Takes a source back once nothing uses its token any more; keeps it if it can be reset
    /// (neither canceled nor past its deadline), else disposes it.
    /// </summary>
    public void Return(CancellationTokenSource source)
    {
        if (source.TryReset())
        {
            if (Interlocked.Increment(ref _count) <= Capacity)
            {
                _items.Enqueue(source);
                return;
            }

            Interlocked.Decrement(ref _count);
        }

        source.Dispose();
    }
}
