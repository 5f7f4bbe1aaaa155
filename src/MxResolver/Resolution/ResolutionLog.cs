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

    /// <summary>
    /// What logs call a resolution: its ASCII domain, or a placeholder for an address literal or an
    /// invalid input. Never <see cref="MxResolution.Input"/>: it may be an email address.
    /// </summary>
    public static string Subject(MxResolution result)
        => result.AsciiDomain ?? (result.Status == MxResolutionStatus.InvalidInput ? "(invalid input)" : "(address literal)");

    /// <summary>
    /// The error of a resolution as logs may carry it. The reason an input is invalid quotes the
    /// input, which may be an email address, so it stays in the result and out of the logs.
    /// </summary>
    public static string? LoggableError(MxResolution result)
        => result.Status == MxResolutionStatus.InvalidInput ? "(the reason quotes the input and is not logged)" : result.Error;
}
