using System.Globalization;

namespace MxResolver.Failover;

/// <summary>
/// A validated, immutable copy of <see cref="MxFailoverOptions"/>, taken when the connector is
/// built so that later changes to the options object cannot tear a call in progress.
/// </summary>
internal sealed class FailoverSettings
{
    private FailoverSettings()
    {
    }

    public required TimeSpan ConnectTimeout { get; init; }

    public required TimeSpan OverallTimeout { get; init; }

    public required int MaxAttempts { get; init; }

    public required TimeSpan ConnectionAttemptDelay { get; init; }

    public required bool CheckGreeting { get; init; }

    public required TimeSpan GreetingTimeout { get; init; }

    public required TimeSpan HealthBackoff { get; init; }

    public required TimeSpan MaxHealthBackoff { get; init; }

    public required int MaxHealthEntries { get; init; }

    /// <summary>Validates and copies <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public static FailoverSettings From(MxFailoverOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        RequirePositive(options.ConnectTimeout, nameof(options.ConnectTimeout), allowInfinite: false);
        RequirePositive(options.OverallTimeout, nameof(options.OverallTimeout), allowInfinite: true);
        RequirePositive(options.GreetingTimeout, nameof(options.GreetingTimeout), allowInfinite: false);
        RequirePositive(options.HealthBackoff, nameof(options.HealthBackoff), allowInfinite: false);
        RequirePositive(options.MaxHealthBackoff, nameof(options.MaxHealthBackoff), allowInfinite: false);
        if (options.ConnectionAttemptDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options.ConnectionAttemptDelay), options.ConnectionAttemptDelay, $"{nameof(options.ConnectionAttemptDelay)} must not be negative.");
        }

        if (options.MaxHealthBackoff < options.HealthBackoff)
        {
            throw new ArgumentOutOfRangeException(nameof(options.MaxHealthBackoff), options.MaxHealthBackoff, $"{nameof(options.MaxHealthBackoff)} must not be shorter than {nameof(options.HealthBackoff)}.");
        }

        if (options.MaxAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options.MaxAttempts), options.MaxAttempts, $"{nameof(options.MaxAttempts)} must be at least 1.");
        }

        if (options.MaxHealthEntries < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options.MaxHealthEntries), options.MaxHealthEntries, $"{nameof(options.MaxHealthEntries)} must not be negative.");
        }

        return new FailoverSettings
        {
            ConnectTimeout = options.ConnectTimeout,
            OverallTimeout = options.OverallTimeout,
            MaxAttempts = options.MaxAttempts,
            ConnectionAttemptDelay = options.ConnectionAttemptDelay,
            CheckGreeting = options.CheckGreeting,
            GreetingTimeout = options.GreetingTimeout,
            HealthBackoff = options.HealthBackoff,
            MaxHealthBackoff = options.MaxHealthBackoff,
            MaxHealthEntries = options.MaxHealthEntries,
        };
    }

    private static void RequirePositive(TimeSpan value, string name, bool allowInfinite)
    {
        if (value <= TimeSpan.Zero && !(allowInfinite && value == Timeout.InfiniteTimeSpan))
        {
            throw new ArgumentOutOfRangeException(name, value, string.Create(CultureInfo.InvariantCulture, $"{name} must be positive."));
        }
    }
}
