using System.Net;
using System.Text;
using MxResolver.Dns;

namespace MxResolver.Transport;

/// <summary>Collects what each server did for a query that got no final answer; created only on the first failure.</summary>
internal sealed class QueryFailureLog
{
    private readonly StringBuilder _text = new();
    private DnsQueryError? _mostSpecific;

    /// <summary>Records one failed exchange.</summary>
    public void Add(IPEndPoint server, DnsQueryError error, string detail)
    {
        // A timeout says least about the servers: any other category seen wins over it.
        if (error != DnsQueryError.Timeout || _mostSpecific is null)
        {
            _mostSpecific = error;
        }

        _text.Append(_text.Length == 0 ? string.Empty : "; ").Append(server).Append(' ').Append(error);
        if (detail.Length > 0)
        {
            _text.Append(" (").Append(detail).Append(')');
        }
    }

    /// <summary>The exception for the whole query.</summary>
    public static DnsQueryException ToException(QueryFailureLog? failures, string name, DnsRecordType type, bool deadlinePassed)
    {
        string deadline = deadlinePassed ? " before the query deadline" : string.Empty;
        string servers = failures is null ? "no server could be asked" : failures._text.ToString();
        return new DnsQueryException(
            failures?._mostSpecific ?? DnsQueryError.Timeout,
            $"No name server gave a final answer to {name} {type}{deadline}: {servers}.");
    }
}
