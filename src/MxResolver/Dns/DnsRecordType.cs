namespace MxResolver.Dns;

/// <summary>The type of a DNS resource record (RFC 1035 §3.2.2 and later registrations).</summary>
public enum DnsRecordType : ushort
{
    /// <summary>An IPv4 host address (RFC 1035).</summary>
    A = 1,

    /// <summary>An authoritative name server (RFC 1035).</summary>
    NS = 2,

    /// <summary>The canonical name for an alias (RFC 1035).</summary>
    CNAME = 5,

    /// <summary>The start of a zone of authority (RFC 1035).</summary>
    SOA = 6,

    /// <summary>A domain name pointer (RFC 1035).</summary>
    PTR = 12,

    /// <summary>Mail exchange (RFC 1035, RFC 7505 for the null MX).</summary>
    MX = 15,

    /// <summary>Text strings (RFC 1035).</summary>
    TXT = 16,

    /// <summary>An IPv6 host address (RFC 3596).</summary>
    AAAA = 28,

    /// <summary>Service location (RFC 2782).</summary>
    SRV = 33,

    /// <summary>The EDNS(0) pseudo-record (RFC 6891).</summary>
    OPT = 41,

    /// <summary>A TLS certificate association, for DANE (RFC 6698).</summary>
    TLSA = 52,

    /// <summary>A request for all records (RFC 1035 QTYPE *).</summary>
    ANY = 255,
}
