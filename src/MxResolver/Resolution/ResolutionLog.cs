using Microsoft.Extensions.Logging;

namespace MxResolver.Resolution;

/// <summary>Log messages of MX resolution (source-generated, no allocation when disabled).</summary>
internal static partial class ResolutionLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "Resolved {Input}: {Status}, {TargetCount} target(s), {DroppedCount} exchange(s) dropped")]
    public static partial void Resolved(ILogger logger, string input, MxResolutionStatus status, int targetCount, int droppedCount);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug, Message = "Resolution of {Input} failed: {Status}: {Error}")]
    public static partial void Failed(ILogger logger, string input, MxResolutionStatus status, string? error);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Resolution of {Input} passed its deadline of {Timeout}")]
    public static partial void DeadlinePassed(ILogger logger, string input, TimeSpan timeout);
}
