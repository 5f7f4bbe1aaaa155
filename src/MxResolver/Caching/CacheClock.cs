namespace MxResolver.Caching;

/// <summary>
/// The one conversion between TTLs and the timestamps of a <see cref="TimeProvider"/>, shared by
/// the answer cache and the resolution cache above it so that both count time the same way.
/// Expiry times are timestamps (<see cref="TimeProvider.GetTimestamp"/>), not wall-clock times,
/// so a change of the system clock neither revives nor kills entries.
/// </summary>
internal readonly struct CacheClock
{
    // Far enough from long.MaxValue that "expiry + stale age" cannot overflow.
    private const long Never = long.MaxValue / 4;

    /// <summary>Creates a clock over <paramref name="timeProvider"/>.</summary>
    public CacheClock(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        TimeProvider = timeProvider;
        Frequency = timeProvider.TimestampFrequency;
    }

    /// <summary>The clock's source.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Timestamp units per second.</summary>
    public long Frequency { get; }

    /// <summary>The current timestamp.</summary>
    public long Now => TimeProvider.GetTimestamp();

    /// <summary>
    /// <paramref name="duration"/> in timestamp units; zero for a duration that is not positive.
    /// The options rules bound every duration, so the cap only keeps the arithmetic from
    /// overflowing for a clock with an unusually fine resolution.
    /// </summary>
    public long ToUnits(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
        {
            return 0;
        }

        Int128 units = (Int128)duration.Ticks * Frequency / TimeSpan.TicksPerSecond;
        return units > Never ? Never : (long)units;
    }

    /// <summary>A TTL in whole seconds, in timestamp units.</summary>
    public long ToUnits(uint seconds) => seconds * Frequency;

    /// <summary>The whole seconds left until <paramref name="expiresAt"/>, rounded down: the TTL a reused answer reports.</summary>
    public uint SecondsLeft(long expiresAt, long now) => (uint)Math.Min((expiresAt - now) / Frequency, uint.MaxValue);

    /// <summary>Timestamp units in whole seconds, rounded down.</summary>
    public uint ToSeconds(long units) => (uint)Math.Min(units / Frequency, uint.MaxValue);
}
