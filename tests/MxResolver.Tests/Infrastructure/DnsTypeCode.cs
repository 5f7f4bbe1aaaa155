namespace MxResolver.Tests.Infrastructure;

/// <summary>DNS TYPE values used by the test-side builder and parser (RFC 1035 §3.2.2, RFC 3596, RFC 6891).
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
    public const ushort OPT = 41;
}
