using Microsoft.Extensions.Logging;

namespace MxResolver.Caching;

/// <summary>
/// Log messages of the cache, event IDs 1200–1299. Only operator actions and fall-backs are
/// logged; nothing is logged per cache hit (a busy sender looks up the same hosts all day).
/// </summary>
internal static partial class CacheLog
{
    [LoggerMessage(EventId = 1200, EventName = "CacheCleared", Level = LogLevel.Information,
        Message = "MX cache cleared: {EntryCount} DNS answers and {ResolutionCount} resolutions dropped.")]
    public static partial void CacheCleared(ILogger logger, int entryCount, int resolutionCount);

    [LoggerMessage(EventId = 1201, EventName = "CacheNameRemoved", Level = LogLevel.Information,
        Message = "MX cache entries of {Name} removed: {EntryCount} DNS answers and {ResolutionCount} resolutions dropped.")]
    public static partial void NameRemoved(ILogger logger, string name, int entryCount, int resolutionCount);

    [LoggerMessage(EventId = 1202, EventName = "StaleAnswerServed", Level = LogLevel.Warning,
        Message = "Every name server failed for {Name} {Type}; serving the answer that expired {ExpiredSeconds} s ago (RFC 8767).")]
    public static partial void StaleAnswerServed(ILogger logger, string name, string type, long expiredSeconds);
}
