using System.Net;

namespace MxResolver.Dns;

/// <summary>A resource record of a DNS response (RFC 1035 §3.2.1).</summary>
/// <remarks>
/// Typed subclasses exist for the types the library interprets (<see cref="MxRecord"/>,
/// <see cref="AddressRecord"/>, <see cref="CnameRecord"/>, <see cref="SoaRecord"/>); every other
/// type is an <see cref="OpaqueRecord"/> with its RDATA. Names are fully qualified with a trailing dot.
/// </remarks>
public abstract class DnsRecord
{
    private protected DnsRecord(string name, DnsRecordType type, DnsRecordClass recordClass, uint timeToLive)
    {
        Name = name;
        Type = type;
        Class = recordClass;
        TimeToLive = timeToLive;
    }

    /// <summary>The owner name, fully qualified with a trailing dot (<c>example.com.</c>).</summary>
    public string Name { get; }

    /// <summary>The record type.</summary>
    public DnsRecordType Type { get; }

    /// <summary>The record class.</summary>
    public DnsRecordClass Class { get; }

    /// <summary>The time to live in seconds, as received (RFC 2181 §8: values over 2^31-1 read as 0).</summary>
    public uint TimeToLive { get; }

    /// <summary>The record in master-file style: owner, TTL, class, type and data.</summary>
    public override string ToString() => $"{Name} {TimeToLive} {Class} {Type} {DataToString()}";

    private protected abstract string DataToString();
}

/// <summary>A mail exchange record (RFC 1035 §3.3.9).</summary>
public sealed class MxRecord : DnsRecord
{
    /// <summary>Creates an MX record.</summary>
    /// <param name="name">The owner name.</param>
    /// <param name="timeToLive">The TTL in seconds.</param>
    /// <param name="preference">The preference; lower is tried first.</param>
    /// <param name="exchange">The exchange host, fully qualified; <c>.</c> is the null MX of RFC 7505.</param>
    public MxRecord(string name, uint timeToLive, ushort preference, string exchange)
        : base(name, DnsRecordType.MX, DnsRecordClass.IN, timeToLive)
    {
        Preference = preference;
        Exchange = exchange;
    }

    /// <summary>The preference; lower values are tried first (RFC 5321 §5.1).</summary>
    public ushort Preference { get; }

    /// <summary>The exchange host name, fully qualified with a trailing dot; <c>.</c> is a null MX (RFC 7505).</summary>
    public string Exchange { get; }

    private protected override string DataToString() => $"{Preference} {Exchange}";
}

/// <summary>An A (RFC 1035 §3.4.1) or AAAA (RFC 3596) record.</summary>
public sealed class AddressRecord : DnsRecord
{
    /// <summary>Creates an address record; its type follows the address family.</summary>
    /// <param name="name">The owner name.</param>
    /// <param name="timeToLive">The TTL in seconds.</param>
    /// <param name="address">An IPv4 or IPv6 address.</param>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is <see langword="null"/>.</exception>
    public AddressRecord(string name, uint timeToLive, IPAddress address)
        : base(name, ToType(address), DnsRecordClass.IN, timeToLive)
    {
        Address = address;
    }

    /// <summary>The address.</summary>
    public IPAddress Address { get; }

    private protected override string DataToString() => Address.ToString();

    private static DnsRecordType ToType(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? DnsRecordType.AAAA : DnsRecordType.A;
    }
}

/// <summary>A canonical name record (RFC 1035 §3.3.1).</summary>
public sealed class CnameRecord : DnsRecord
{
    /// <summary>Creates a CNAME record.</summary>
    /// <param name="name">The alias.</param>
    /// <param name="timeToLive">The TTL in seconds.</param>
    /// <param name="canonicalName">The canonical name the alias stands for.</param>
    public CnameRecord(string name, uint timeToLive, string canonicalName)
        : base(name, DnsRecordType.CNAME, DnsRecordClass.IN, timeToLive)
    {
        CanonicalName = canonicalName;
    }

    /// <summary>The canonical name, fully qualified with a trailing dot.</summary>
    public string CanonicalName { get; }

    private protected override string DataToString() => CanonicalName;
}

/// <summary>A start-of-authority record (RFC 1035 §3.3.13); in negative answers it sets the negative TTL (RFC 2308 §5).</summary>
public sealed class SoaRecord : DnsRecord
{
    /// <summary>Creates an SOA record.</summary>
    /// <param name="name">The zone apex.</param>
    /// <param name="timeToLive">The TTL in seconds.</param>
    /// <param name="primaryNameServer">MNAME.</param>
    /// <param name="responsibleMailbox">RNAME.</param>
    /// <param name="serial">SERIAL.</param>
    /// <param name="refresh">REFRESH in seconds.</param>
    /// <param name="retry">RETRY in seconds.</param>
    /// <param name="expire">EXPIRE in seconds.</param>
    /// <param name="minimum">MINIMUM in seconds.</param>
    public SoaRecord(string name, uint timeToLive, string primaryNameServer, string responsibleMailbox, uint serial, uint refresh, uint retry, uint expire, uint minimum)
        : base(name, DnsRecordType.SOA, DnsRecordClass.IN, timeToLive)
    {
        PrimaryNameServer = primaryNameServer;
        ResponsibleMailbox = responsibleMailbox;
        Serial = serial;
        Refresh = refresh;
        Retry = retry;
        Expire = expire;
        Minimum = minimum;
    }

    /// <summary>The primary name server (MNAME).</summary>
    public string PrimaryNameServer { get; }

    /// <summary>The mailbox of the person responsible for the zone, in name form (RNAME).</summary>
    public string ResponsibleMailbox { get; }

    /// <summary>The zone's serial number.</summary>
    public uint Serial { get; }

    /// <summary>The refresh interval in seconds.</summary>
    public uint Refresh { get; }

    /// <summary>The retry interval in seconds.</summary>
    public uint Retry { get; }

    /// <summary>The expire limit in seconds.</summary>
    public uint Expire { get; }

    /// <summary>The MINIMUM field: the TTL of negative answers from this zone (RFC 2308 §4).</summary>
    public uint Minimum { get; }

    private protected override string DataToString()
        => $"{PrimaryNameServer} {ResponsibleMailbox} {Serial} {Refresh} {Retry} {Expire} {Minimum}";
}

/// <summary>A record of a type the library does not interpret; its RDATA is kept as received.</summary>
public sealed class OpaqueRecord : DnsRecord
{
    /// <summary>Creates an opaque record.</summary>
    /// <param name="name">The owner name.</param>
    /// <param name="type">The record type.</param>
    /// <param name="recordClass">The record class.</param>
    /// <param name="timeToLive">The TTL in seconds.</param>
    /// <param name="data">The RDATA. Names inside it may be compressed pointers into the original message.</param>
    public OpaqueRecord(string name, DnsRecordType type, DnsRecordClass recordClass, uint timeToLive, ReadOnlyMemory<byte> data)
        : base(name, type, recordClass, timeToLive)
    {
        Data = data;
    }

    /// <summary>The RDATA as received.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    private protected override string DataToString() => $"\\# {Data.Length} {Convert.ToHexString(Data.Span)}";
}
