using Microsoft.Extensions.Logging;

namespace MxResolver.Policy;

/// <summary>Log events of the secure-delivery layer (event IDs 1400–1499).</summary>
/// <remarks>
/// Events name the domain in ASCII form and the MX hosts, never the caller's input (which may be an
/// email address). Fetch errors quote the policy URL, which is built from the domain alone.
/// </remarks>
internal static partial class PolicyLog
{
    [LoggerMessage(EventId = 1400, Level = LogLevel.Debug, Message = "{Domain}: {TargetCount} target(s), {DroppedCount} dropped by policy, MX RRset secure: {MxSecure}, MTA-STS {Mode} ({Source}), from cache: {Cached}.")]
    public static partial void SecureResolved(ILogger logger, string domain, int targetCount, int droppedCount, bool mxSecure, string mode, string source, bool cached);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "MTA-STS policy for {Domain} fetched (id {Id}): mode {Mode}, max_age {MaxAge} s, {PatternCount} mx pattern(s).")]
    public static partial void PolicyFetched(ILogger logger, string domain, string id, string mode, long maxAge, int patternCount);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "MTA-STS policy for {Domain} could not be fetched and none is stored ({Result}): {Error}")]
    public static partial void PolicyFetchFailed(ILogger logger, string domain, string result, string error);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "MTA-STS policy for {Domain} could not be refreshed ({Result}): {Error}; the stored policy (id {Id}, valid until {ValidUntil:O}) stays in force.")]
    public static partial void StoredPolicyKept(ILogger logger, string domain, string result, string error, string id, DateTimeOffset validUntil);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Debug, Message = "MTA-STS policy for {Domain} from the store (id {Id}, mode {Mode}, valid until {ValidUntil:O}).")]
    public static partial void PolicyFromStore(ILogger logger, string domain, string id, string mode, DateTimeOffset validUntil);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Debug, Message = "{Domain}: {Host} DANE {DaneStatus}, TLS {Requirement}.")]
    public static partial void TargetDecided(ILogger logger, string domain, string host, string daneStatus, MxTlsRequirement requirement);

    [LoggerMessage(EventId = 1406, Level = LogLevel.Warning, Message = "{Domain}: {Host} is not attempted now: {Reason}")]
    public static partial void TargetNotAttempted(ILogger logger, string domain, string host, string reason);

    [LoggerMessage(EventId = 1407, Level = LogLevel.Information, Message = "{Domain}: {Host} matches no mx pattern of the enforced MTA-STS policy (id {Id}) and is dropped.")]
    public static partial void TargetDroppedByPolicy(ILogger logger, string domain, string host, string id);

    [LoggerMessage(EventId = 1408, Level = LogLevel.Warning, Message = "Certificate check under {Policy} failed ({Result}, {ReasonCode}): {Reason}")]
    public static partial void VerificationFailed(ILogger logger, string policy, string result, string reasonCode, string reason);

    [LoggerMessage(EventId = 1409, Level = LogLevel.Debug, Message = "Certificate check under {Policy}: {Status} ({ReasonCode}).")]
    public static partial void VerificationPassed(ILogger logger, string policy, CertificateCheckStatus status, string reasonCode);

    [LoggerMessage(EventId = 1410, Level = LogLevel.Information, Message = "MTA-STS policy for {Domain} (id {Id}) is in its last part of max_age; refreshing it in the background.")]
    public static partial void PolicyRefreshStarted(ILogger logger, string domain, string id);
}
