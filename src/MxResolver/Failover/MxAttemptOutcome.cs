namespace MxResolver;

/// <summary>How one attempt on one address ended, in <see cref="MxAttempt.Outcome"/>.</summary>
public enum MxAttemptOutcome
{
    /// <summary>
    /// The attempt succeeded: connected (and, with <see cref="MxFailoverOptions.CheckGreeting"/>,
    /// greeted with 220), or the operation of <see cref="IMxConnector.ExecuteAsync{T}"/> returned.
    /// </summary>
    Succeeded = 0,

    /// <summary>The address refused the connection (TCP RST): moved on at once (R20).</summary>
    Refused = 1,

    /// <summary>The network or host is unreachable: moved on at once (R20).</summary>
    Unreachable = 2,

    /// <summary>No connection within <see cref="MxFailoverOptions.ConnectTimeout"/> (R20).</summary>
    TimedOut = 3,

    /// <summary>Another network error while connecting.</summary>
    NetworkError = 4,

    /// <summary>The server greeted with a 4xx or 5xx reply instead of 220 (R21).</summary>
    GreetingRejected = 5,

    /// <summary>The server said nothing within <see cref="MxFailoverOptions.GreetingTimeout"/> (R21).</summary>
    GreetingTimedOut = 6,

    /// <summary>The server closed the connection before greeting, or sent something that is not an SMTP reply (R21).</summary>
    GreetingInvalid = 7,

    /// <summary>The operation of <see cref="IMxConnector.ExecuteAsync{T}"/> failed in a way classified as retryable.</summary>
    OperationFailed = 8,

    /// <summary>
    /// Abandoned because another address of the same target connected first (RFC 8305 §5); the
    /// address is not held against its health.
    /// </summary>
    Cancelled = 9,

    /// <summary>Cut short by <see cref="MxFailoverOptions.OverallTimeout"/>.</summary>
    DeadlinePassed = 10,

    /// <summary>
    /// Not attempted: what the target requires could not be established (its TLSA lookup failed,
    /// RFC 7672 §2.2), so no connection was made. A temporary condition; never a plaintext attempt.
    /// </summary>
    SkippedByPolicy = 11,
}
