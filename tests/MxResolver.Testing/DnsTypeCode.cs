namespace MxResolver.Testing;

/// <summary>DNS TYPE values used by the test-side builder and parser (RFC 1035 §3.2.2, RFC 3596, RFC 6891,
/// RFC 4034 §2-4, RFC 6698 §7.1).
/// Deliberately separate from the library's enum so the tests keep an independent oracle.</summary>
public static class DnsTypeCode
{
    public const ushort A = 1;
    public const ushort NS = 2;
    public const ushort CNAME = 5;
    public const ushort SOA = 6;
    public const ushort MX = 15;
    public const ushort TXT = 16;
    public const ushort AAAA = 28;
    public const ushort DS = 43;
    public const ushort OPT = 41;
    public const ushort RRSIG = 46;
    public const ushort NSEC = 47;
    public const ushort DNSKEY = 48;
    public const ushort TLSA = 52;
}
