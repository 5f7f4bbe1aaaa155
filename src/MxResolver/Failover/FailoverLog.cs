using System.Net;
using Microsoft.Extensions.Logging;

namespace MxResolver.Failover;

/// <summary>Log events of connection failover (event IDs 1300–1399).</summary>
internal static partial class FailoverLog
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Debug, Message = "Attempt {AttemptNumber} for {Input}: connecting to {Host} (preference {Preference}) at {EndPoint}.")]
    public static partial void AttemptStarted(ILogger logger, int attemptNumber, string input, string host, ushort preference, IPEndPoint endPoint);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Attempt {AttemptNumber} for {Input} on {Host} at {EndPoint} failed: {Outcome} after {ElapsedMs:0} ms: {Error}")]
    public static partial void AttemptFailed(ILogger logger, int attemptNumber, string input, string host, IPEndPoint endPoint, MxAttemptOutcome outcome, double elapsedMs, string? error);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Debug, Message = "Attempt {AttemptNumber} for {Input} on {Host} at {EndPoint} ended: {Outcome} after {ElapsedMs:0} ms.")]
    public static partial void AttemptEnded(ILogger logger, int attemptNumber, string input, string host, IPEndPoint endPoint, MxAttemptOutcome outcome, double elapsedMs);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Information, Message = "Nothing to try for {Input}: the resolution failed with {Status}: {Error}")]
    public static partial void ResolutionFailed(ILogger logger, string input, MxResolutionStatus status, string? error);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Warning, Message = "Every attempt for {Input} failed ({AttemptCount} attempt(s) in {ElapsedMs:0} ms): {Error}")]
    public static partial void AllAttemptsFailed(ILogger logger, string input, int attemptCount, double elapsedMs, string error);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Debug, Message = "{Address} is unhealthy for {Backoff} after {Failures} consecutive failure(s).")]
    public static partial void MarkedUnhealthy(ILogger logger, IPAddress address, TimeSpan backoff, int failures);

    [LoggerMessage(EventId = 1306, Level = LogLevel.Information, Message = "{Input}: {Host} at {EndPoint} accepted after {AttemptCount} attempt(s) in {ElapsedMs:0} ms.")]
    public static partial void Succeeded(ILogger logger, string input, string host, IPEndPoint endPoint, int attemptCount, double elapsedMs);
}
