using MxResolver.Transport;

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
    // Beyond the pool's bound, sources are dropped.
    private readonly BoundedPool<CancellationTokenSource> _items = new();

    /// <summary>A source that cancels itself after the deadline, counted from now.</summary>
    public CancellationTokenSource Rent()
    {
        if (_items.TryRent(out CancellationTokenSource? source))
        {
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
        if (!source.TryReset() || !_items.TryReturn(source))
        {
            source.Dispose();
        }
    }
}
