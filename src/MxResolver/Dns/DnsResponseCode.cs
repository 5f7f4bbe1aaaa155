namespace MxResolver.Dns;

/// <summary>
/// The response code of a DNS message: the 4-bit RCODE of the header (RFC 1035 §4.1.1),
/// extended to 12 bits by the OPT record when EDNS is in use (RFC 6891 §6.1.3).
/// </summary>
public enum DnsResponseCode : ushort
{
    /// <summary>No error condition.</summary>
    NoError = 0,

    /// <summary>The server could not interpret the query.</summary>
    FormatError = 1,

    /// <summary>The server could not process the query because of a problem with itself.</summary>
    ServerFailure = 2,

    /// <summary>The queried name does not exist (NXDOMAIN).</summary>
    NameError = 3,

    /// <summary>The server does not support the requested kind of query.</summary>
    NotImplemented = 4,

    /// <summary>The server refused to perform the operation for policy reasons.</summary>
    Refused = 5,

    /// <summary>The OPT record's EDNS version is not supported by the server (RFC 6891 §9).</summary>
    BadVersion = 16,
}
