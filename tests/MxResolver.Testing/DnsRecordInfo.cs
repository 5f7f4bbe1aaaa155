namespace MxResolver.Testing;

/// <summary>One record as the test-side parser saw it.</summary>
/// <param name="Data">Presentation form of the RDATA: the address for A/AAAA, "preference exchange." for MX,
/// the target for CNAME/NS, "mname rname serial refresh retry expire minimum" for SOA, the quoted strings
/// for TXT, hexadecimal otherwise (empty for OPT).</param>
public sealed record DnsRecordInfo(RecordSection Section, string Name, ushort Type, ushort Class, uint Ttl, byte[] Rdata, string Data);
