using System.Net;
using Microsoft.Extensions.Logging;

namespace MxResolver.Failover;

/// <summary>Log events of connection failover (event IDs 1300–1399).</summary>
/// <remarks>
/// Every event names the call by its <c>domain</c>: the ASCII domain, the address literal or
/// <c>(invalid input)</c> (<see cref="FailoverRun.Subject"/>), never the caller's input, which may be
/// an email address and so personal data.
/// </remarks>
internal static partial class FailoverLog
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Debug, Message = "Attempt {AttemptNumber} for {Domain}: connecting to {Host} (preference {Preference}) at {EndPoint}.")]
    public static partial void AttemptStarted(ILogger logger, int attemptNumber, string domain, string host, ushort preference, IPEndPoint endPoint);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Attempt {AttemptNumber} for {Domain} on {Host} at {EndPoint} failed: {Outcome} after {ElapsedMs:0} ms: {Error}")]
    public static partial void AttemptFailed(ILogger logger, int attemptNumber, string domain, string host, IPEndPoint endPoint, MxAttemptOutcome outcome, double elapsedMs, string? error);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Debug, Message = "Attempt {AttemptNumber} for {Domain} on {Host} at {EndPoint} ended: {Outcome} after {ElapsedMs:0} ms.")]
    public static partial void AttemptEnded(ILogger logger, int attemptNumber, string domain, string host, IPEndPoint endPoint, MxAttemptOutcome outcome, double elapsedMs);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Information, Message = "Nothing to try for {Domain}: the resolution failed with {Status}: {Error}")]
    public static partial void ResolutionFailed(ILogger logger, string domain, MxResolutionStatus status, string? error);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Warning, Message = "Every attempt for {Domain} failed ({AttemptCount} attempt(s) in {ElapsedMs:0} ms): {Error}")]
    public static partial void AllAttemptsFailed(ILogger logger, string domain, int attemptCount, double elapsedMs, string error);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Debug, Message = "{Address} is unhealthy for {Backoff} after {Failures} consecutive failure(s).")]
    public static partial void MarkedUnhealthy(ILogger logger, IPAddress address, TimeSpan backoff, int failures);

    [LoggerMessage(EventId = 1306, Level = LogLevel.Information, Message = "{Domain}: {Host} at {EndPoint} accepted after {AttemptCount} attempt(s) in {ElapsedMs:0} ms.")]
    public static partial void Succeeded(ILogger logger, string domain, string host, IPEndPoint endPoint, int attemptCount, double elapsedMs);
}
