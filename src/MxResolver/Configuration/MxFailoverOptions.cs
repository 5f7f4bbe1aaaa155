namespace MxResolver;

/// <summary>
/// Settings of <see cref="MxConnector"/>: how long to wait, how many addresses to try, the SMTP
/// greeting check and host health (R20–R23). A plain mutable class so that it binds from
/// configuration (<c>MxResolver:Failover</c> under <see cref="MxResolverOptions.Failover"/>); the
/// connector copies and validates it when constructed, against the same rules as dependency
/// injection: durations positive and under 24 days unless said otherwise, and
/// <see cref="HealthBackoff"/> at most <see cref="MaxHealthBackoff"/>.
/// </summary>
/// <remarks>Rule numbers (R20–R23) refer to the behaviour rules in <c>docs/behaviour.md</c> of the repository.</remarks>
public sealed class MxFailoverOptions
{
    /// <summary>
    /// How long one TCP connection attempt to one address may take before the next address is
    /// tried (R20). Default: 30 seconds (Postfix <c>smtp_connect_timeout</c>).
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The deadline of one <see cref="IMxConnector.ConnectAsync"/> or
    /// <see cref="IMxConnector.ExecuteAsync{T}"/> call, resolution included (R20); when it passes
    /// the result is a temporary failure carrying the attempts made so far (R23).
    /// <see cref="Timeout.InfiniteTimeSpan"/> disables it. Default: 2 minutes.
    /// </summary>
    public TimeSpan OverallTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The most connection attempts (addresses tried, including attempts abandoned because another
    /// address of the same target connected first) in one call. RFC 5321 §5.1 asks senders to try
    /// at least two addresses. 1 to 1,000. Default: 10.
    /// </summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>
    /// Within one target that has several addresses, how long to wait for a connection attempt
    /// before starting the next one in parallel, instead of waiting for the first to time out (the
    /// "Connection Attempt Delay" of RFC 8305 §5, which recommends 250 ms). The first attempt to
    /// connect wins; the others are cancelled. Default: 250 milliseconds.
    /// </summary>
    public TimeSpan ConnectionAttemptDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Whether <see cref="IMxConnector.ConnectAsync"/> reads the SMTP greeting (R21): a 220 greeting
    /// wins; a 4xx/5xx greeting, a malformed one, a closed connection or silence past
    /// <see cref="GreetingTimeout"/> moves on to the next address. The greeting is then consumed and
    /// reported in <see cref="MxConnection.Greeting"/>: hand the stream only to a client that does
    /// not expect to read it again. Not used by <see cref="IMxConnector.ExecuteAsync{T}"/>, whose
    /// operation reads the greeting itself. Default: <see langword="false"/>.
    /// </summary>
    public bool CheckGreeting { get; set; }

    /// <summary>
    /// How long to wait for the whole SMTP greeting when <see cref="CheckGreeting"/> is on. RFC 5321
    /// §4.5.3.2.1 suggests a patient 5 minutes for a client that has nowhere else to go; a sender
    /// with other MX hosts to try moves on sooner. Default: 30 seconds.
    /// </summary>
    public TimeSpan GreetingTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long an address that failed is treated as unhealthy after its first failure (R22): it is
    /// tried after the healthy addresses of the same preference until then. Each further
    /// consecutive failure doubles the back-off, up to <see cref="MaxHealthBackoff"/>; a success
    /// forgets the address. Default: 30 seconds.
    /// </summary>
    public TimeSpan HealthBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest back-off of an unhealthy address (R22). Default: 10 minutes.</summary>
    public TimeSpan MaxHealthBackoff { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The most addresses whose health is remembered (R22); when full, the address whose state
    /// changed longest ago is forgotten. <c>0</c> turns host health off. 0 to 10,000,000. Default: 1,000.
    /// </summary>
    public int MaxHealthEntries { get; set; } = 1000;
}
