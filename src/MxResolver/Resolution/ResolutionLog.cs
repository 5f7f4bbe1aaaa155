using Microsoft.Extensions.Logging;

namespace MxResolver.Resolution;

/// <summary>Log messages of MX resolution (source-generated, no allocation when disabled).</summary>
internal static partial class ResolutionLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "Resolved {Domain}: {Status}, {TargetCount} target(s), {DroppedCount} exchange(s) dropped")]
    public static partial void Resolved(ILogger logger, string domain, MxResolutionStatus status, int targetCount, int droppedCount);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug, Message = "Resolution of {Domain} failed: {Status}: {Error}")]
    public static partial void Failed(ILogger logger, string domain, MxResolutionStatus status, string? error);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Resolution of {Domain} passed its deadline of {Timeout}")]
    public static partial void DeadlinePassed(ILogger logger, string domain, TimeSpan timeout);
}
