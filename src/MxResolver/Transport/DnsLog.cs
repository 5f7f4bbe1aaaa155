using System.Net;
using Microsoft.Extensions.Logging;
using MxResolver.Dns;

namespace MxResolver.Transport;

/// <summary>Log events of the DNS stub client (event IDs 1000–1099).</summary>
internal static partial class DnsLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Name server {Server} gave no final answer to {Name} {Type}: {Error} ({Detail}); moving on.")]
    public static partial void ServerFailed(ILogger logger, IPEndPoint server, string name, DnsRecordType type, DnsQueryError error, string detail);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Discarded a reply for {Name} {Type} over {Transport} from {Server} that does not match the query: {Reason}.")]
    public static partial void ReplyDiscarded(ILogger logger, IPEndPoint server, string name, DnsRecordType type, string transport, string reason);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "Name server {Server} truncated the reply for {Name} {Type}; asking again over TCP.")]
    public static partial void TruncatedRetryingOverTcp(ILogger logger, IPEndPoint server, string name, DnsRecordType type);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "Name server {Server} rejected EDNS for {Name} {Type} with {ResponseCode}; asking again without an OPT record.")]
    public static partial void EdnsRejected(ILogger logger, IPEndPoint server, string name, DnsRecordType type, DnsResponseCode responseCode);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "No name server gave a final answer to {Name} {Type}: {Error}.")]
    public static partial void QueryFailed(ILogger logger, string name, DnsRecordType type, DnsQueryError error);
}
