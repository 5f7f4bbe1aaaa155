using MxResolver.Configuration;

namespace MxResolver.Failover;

/// <summary>
/// A validated (<see cref="OptionsRules"/>), immutable copy of <see cref="MxFailoverOptions"/>, taken when the connector is
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

    /// <summary>Checks <paramref name="options"/> against <see cref="OptionsRules"/> and copies it.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A setting breaks a rule; the message names its configuration key.</exception>
    public static FailoverSettings From(MxFailoverOptions options)
    {
        OptionsRules.ThrowIfInvalid(options);
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
}
