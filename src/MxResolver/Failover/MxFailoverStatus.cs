namespace MxResolver;

/// <summary>The outcome of an <see cref="IMxConnector"/> call, in <see cref="MxFailoverResult{T}.Status"/>.</summary>
public enum MxFailoverStatus
{
    /// <summary>An address accepted: <see cref="MxFailoverResult{T}.Value"/> holds the connection or the operation's result.</summary>
    Succeeded = 0,

    /// <summary>
    /// The resolution gave nothing to try; <see cref="MxFailoverResult{T}.Resolution"/> says why, permanent
    /// (e.g. null MX, 5.1.10) or temporary (4.4.3). No attempt was made.
    /// </summary>
    ResolutionFailed = 1,

    /// <summary>
    /// Every address tried failed, or <see cref="MxFailoverOptions.MaxAttempts"/> or
    /// <see cref="MxFailoverOptions.OverallTimeout"/> was reached first (R23). Temporary, 4.4.1: queue
    /// the message and retry later.
    /// </summary>
    AllAttemptsFailed = 2,
}
