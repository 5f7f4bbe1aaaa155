using System.Net;

namespace MxResolver.Dns;

/// <summary>A resource record of a DNS response (RFC 1035 §3.2.1).</summary>
/// <remarks>
/// Typed subclasses exist for the types the library interprets (<see cref="MxRecord"/>,
/// <see cref="AddressRecord"/>, <see cref="CnameRecord"/>, <see cref="SoaRecord"/>, <see cref="TxtRecord"/>,
/// <see cref="TlsaRecord"/>); every other
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

/// <summary>A text record (RFC 1035 §3.3.14): one or more character-strings of up to 255 octets each.</summary>
/// <remarks>
/// TXT data is octets, not text: <see cref="Strings"/> keeps them as received. The ASCII records
/// of MTA-STS (RFC 8461 §3.1) and TLS-RPT (RFC 8460 §3) read the same through <see cref="GetText"/>,
/// which maps each octet to the character of the same value (Latin-1), so nothing is lost or replaced.
/// Records that split one value over several strings mean their concatenation (RFC 7208 §3.3).
/// </remarks>
public sealed class TxtRecord : DnsRecord
{
    /// <summary>Creates a TXT record.</summary>
    /// <param name="name">The owner name.</param>
    /// <param name="timeToLive">The TTL in seconds.</param>
    /// <param name="strings">The character-strings, in order; copied.</param>
    /// <exception cref="ArgumentNullException"><paramref name="strings"/> is <see langword="null"/>.</exception>
    public TxtRecord(string name, uint timeToLive, IEnumerable<ReadOnlyMemory<byte>> strings)
        : base(name, DnsRecordType.TXT, DnsRecordClass.IN, timeToLive)
    {
        ArgumentNullException.ThrowIfNull(strings);
        Strings = [.. strings];
    }

    /// <summary>The character-strings as received, in order, each without its length octet.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Strings { get; }

    /// <summary>The character-strings concatenated, each octet as the character of the same value (Latin-1).</summary>
    /// <returns>The text; ASCII records read as themselves.</returns>
    public string GetText()
    {
        int length = 0;
        foreach (ReadOnlyMemory<byte> s in Strings)
        {
            length += s.Length;
        }

        return string.Create(length, Strings, static (chars, strings) =>
        {
            int position = 0;
            foreach (ReadOnlyMemory<byte> s in strings)
            {
                position += System.Text.Encoding.Latin1.GetChars(s.Span, chars[position..]);
            }
        });
    }

    private protected override string DataToString()
    {
        var text = new System.Text.StringBuilder();
        foreach (ReadOnlyMemory<byte> s in Strings)
        {
            if (text.Length > 0)
            {
                text.Append(' ');
            }

            // Presentation form (RFC 1035 §5.1): quoted, with '"' and '\' escaped and other octets
            // outside printable ASCII as \DDD.
            text.Append('"');
            foreach (byte b in s.Span)
            {
                if (b is (byte)'"' or (byte)'\\')
                {
                    text.Append('\\').Append((char)b);
                }
                else if (b is < 0x20 or > 0x7E)
                {
                    text.Append('\\').Append(b.ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
                }
                else
                {
                    text.Append((char)b);
                }
            }

            text.Append('"');
        }

        return text.ToString();
    }
}

/// <summary>A TLS certificate association record for DANE (RFC 6698 §2.1; RFC 7672 for SMTP).</summary>
public sealed class TlsaRecord : DnsRecord
{
    /// <summary>Creates a TLSA record.</summary>
    /// <param name="name">The owner name (<c>_25._tcp.mx.example.</c>).</param>
    /// <param name="timeToLive">The TTL in seconds.</param>
    /// <param name="certificateUsage">The certificate usage field (RFC 6698 §2.1.1).</param>
    /// <param name="selector">The selector field (RFC 6698 §2.1.2).</param>
    /// <param name="matchingType">The matching type field (RFC 6698 §2.1.3).</param>
    /// <param name="certificateAssociationData">The certificate association data (RFC 6698 §2.1.4).</param>
    public TlsaRecord(string name, uint timeToLive, byte certificateUsage, byte selector, byte matchingType, ReadOnlyMemory<byte> certificateAssociationData)
        : base(name, DnsRecordType.TLSA, DnsRecordClass.IN, timeToLive)
    {
        CertificateUsage = certificateUsage;
        Selector = selector;
        MatchingType = matchingType;
        CertificateAssociationData = certificateAssociationData;
    }

    /// <summary>The certificate usage: 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE (RFC 7218 §2.1).</summary>
    public byte CertificateUsage { get; }

    /// <summary>The selector: 0 the full certificate, 1 its SubjectPublicKeyInfo.</summary>
    public byte Selector { get; }

    /// <summary>The matching type: 0 exact, 1 SHA-256, 2 SHA-512.</summary>
    public byte MatchingType { get; }

    /// <summary>The certificate association data as received.</summary>
    public ReadOnlyMemory<byte> CertificateAssociationData { get; }

    private protected override string DataToString()
        => $"{CertificateUsage} {Selector} {MatchingType} {Convert.ToHexString(CertificateAssociationData.Span)}";
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
