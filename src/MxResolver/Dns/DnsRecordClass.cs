namespace MxResolver.Dns;

/// <summary>The class of a DNS resource record or question (RFC 1035 §3.2.4).</summary>
public enum DnsRecordClass : ushort
{
    /// <summary>The Internet.</summary>
    IN = 1,

    /// <summary>Chaos.</summary>
    CH = 3,

    /// <summary>Hesiod.</summary>
    HS = 4,

    /// <summary>Any class (QCLASS *).</summary>
    ANY = 255,
}
