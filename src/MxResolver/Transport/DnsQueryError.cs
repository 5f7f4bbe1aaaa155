namespace MxResolver;

/// <summary>Why a DNS query got no final answer from any name server. Every category is temporary: retry later.</summary>
public enum DnsQueryError
{
    /// <summary>No server answered within the time allowed.</summary>
    Timeout = 1,

    /// <summary>The servers answered SERVFAIL.</summary>
    ServerFailure = 2,

    /// <summary>The servers answered REFUSED.</summary>
    Refused = 3,

    /// <summary>The servers answered NOTIMP or FORMERR to the query.</summary>
    NotImplemented = 4,

    /// <summary>The replies could not be decoded (bad compression, cut-off records, wrong lengths).</summary>
    MalformedResponse = 5,

    /// <summary>The network failed: unreachable, refused connection, reset.</summary>
    NetworkError = 6,

    /// <summary>The reply was truncated and the same question over TCP did not succeed.</summary>
    Truncated = 7,
}
